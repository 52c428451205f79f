package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.SIZES;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.assertBitwise;
import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

/**
 * Layer normalisation forward (with the saved row statistics) and backward: the reference by hand, the vector
 * kernels against it at odd sizes and on strided views.
 */
class VectorNormalizationTest {

    private final Generator gen = new Generator(11);

    @Test
    void referenceByHand() {
        // row [1, 2, 3, 6]: mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5
        NDArray x = NDArray.of(new double[] {1, 2, 3, 6}, 1, 4);
        NDArray w = NDArray.of(new double[] {1, 2, 1, 1}, 4), b = NDArray.of(new double[] {0, 0, 0, 10}, 4);
        NDArray out = NDArray.zeros(DType.FLOAT64, 1, 4);
        REFERENCE.layerNorm(x, w, b, 0.5, out, null, null);
        double std = Math.sqrt(3.5 + 0.5);
        double[] expected = {-2 / std, 2 * -1 / std, 0, 3 / std + 10};
        double[] actual = out.toDoubleArray();
        for (int i = 0; i < 4; i++) assertEquals(expected[i], actual[i], 1e-12, "element " + i);
    }

    private static void check(NDArray x, NDArray w, NDArray b, String what) {
        int rows = x.shape(0), n = x.shape(1);
        NDArray expected = zeros(rows, n), actual = zeros(rows, n);
        REFERENCE.layerNorm(x, w, b, 1e-5, expected, null, null);
        VECTOR.layerNorm(x, w, b, 1e-5, actual, null, null);
        VectorChecks.assertClose(expected, actual, 2e-6 * Math.sqrt(n) + 1e-6, 2e-6 * Math.sqrt(n) + 1e-6, what);
    }

    @Test
    void vectorMatchesReferenceAtOddSizesAndOnViews() {
        for (int n : SIZES) {
            String at = "n=" + n;
            NDArray w = randn(gen, n), b = randn(gen, n);
            // an offset so that the mean is not near zero
            check(randn(gen, 5, n).add(3), w, b, at);
            check(randn(gen, 3, n), null, null, at + " no affine");
            check(randn(gen, 2, n), w, null, at + " weight only");
            // rows apart (unit column stride, row stride 2n + 3): the vector path with a row stride
            check(NDArray.zeros(DType.FLOAT32, 4, 2 * n + 3).narrow(1, 2, n).assign(randn(gen, 4, n)), w, b, at + " rows apart");
            // non-unit column stride and strided weight: the reference path of the vector backend
            check(VectorChecks.spaced(randn(gen, 3, n)), VectorChecks.spaced(w.reshape(1, n)).reshape(n), b, at + " spaced");
            check(VectorChecks.transposed(randn(gen, 3, n)), w, b, at + " transposed");
        }
    }

    @Test
    void constantRowsGiveTheBias() {
        NDArray x = zeros(2, 33).add(7), b = randn(gen, 33), out = zeros(2, 33);
        VECTOR.layerNorm(x, null, b, 1e-5, out, null, null);
        assertBitwise(b.expand(2, 33).copy(), out, "zero variance: (x - mean) = 0 exactly");
    }

    @Test
    void sameBitsForEveryThreadCount() {
        NDArray x = randn(gen, 1001, 129), w = randn(gen, 129), one = zeros(1001, 129), three = zeros(1001, 129);
        new VectorBackend(1).layerNorm(x, w, null, 1e-5, one, null, null);
        new VectorBackend(3).layerNorm(x, w, null, 1e-5, three, null, null);
        assertBitwise(one, three, "1 vs 3 threads");
    }

    @Test
    void ndarrayNormalisesTrailingDimsAndChecksShapes() {
        NDArray x = randn(gen, 2, 3, 4, 5), w = randn(gen, 4, 5), b = randn(gen, 4, 5);
        NDArray y = x.layerNorm(new int[] {4, 5}, w, b, 1e-5);
        NDArray expected = zeros(6, 20);
        REFERENCE.layerNorm(x.reshape(6, 20), w.reshape(20), b.reshape(20), 1e-5, expected, null, null);
        VectorChecks.assertClose(expected.reshape(2, 3, 4, 5), y, 1e-5, 1e-5, "rank 4 over the last two dims");
        // a permuted (non-viewable) input is copied to rows first
        NDArray p = randn(gen, 5, 4, 3).permute(2, 1, 0);
        NDArray expectedP = zeros(3, 20);
        REFERENCE.layerNorm(p.contiguous().reshape(3, 20), null, null, 1e-5, expectedP, null, null);
        VectorChecks.assertClose(expectedP.reshape(3, 4, 5), p.layerNorm(new int[] {4, 5}, null, null, 1e-5), 1e-5, 1e-5, "permuted input");
        assertEquals(0, zeros(0, 7).layerNorm(new int[] {7}, null, null, 1e-5).numel());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.layerNorm(new int[] {5, 4}, null, null, 1e-5));
        assertTrue(e.getMessage().contains("layerNorm") && e.getMessage().contains("[2, 3, 4, 5]") && e.getMessage().contains("[5, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.layerNorm(new int[] {4, 5}, randn(gen, 20), null, 1e-5));
        assertTrue(e.getMessage().contains("weight") && e.getMessage().contains("[20]"), e.getMessage());
    }

    @Test
    void referenceStatisticsAndBackwardByHand() {
        // row [1, 2, 3, 6]: mean 3, rstd 1/√(3.5 + 0.5) = 0.5, x̂ = [-1, -0.5, 0, 1.5]
        NDArray x = NDArray.of(new double[] {1, 2, 3, 6}, 1, 4), w = NDArray.of(new double[] {1, 2, 1, 1}, 4);
        NDArray mean = NDArray.zeros(DType.FLOAT64, 1), rstd = NDArray.zeros(DType.FLOAT64, 1);
        REFERENCE.layerNorm(x, w, null, 0.5, NDArray.zeros(DType.FLOAT64, 1, 4), mean, rstd);
        assertEquals(3, mean.toDoubleArray()[0], 1e-12);
        assertEquals(0.5, rstd.toDoubleArray()[0], 1e-12);
        // g = [1, 0, 0, 0]: ĝ = g·w = [1, 0, 0, 0], mean ĝ = 0.25, mean ĝ·x̂ = -0.25,
        // dx = 0.5·(ĝ - 0.25 + 0.25·x̂) = [0.25, -0.1875, -0.125, 0.0625]; dw = g·x̂ = [-1, 0, 0, 0]; db = g
        NDArray g = NDArray.of(new double[] {1, 0, 0, 0}, 1, 4);
        NDArray dx = NDArray.zeros(DType.FLOAT64, 1, 4), dw = NDArray.zeros(DType.FLOAT64, 4), db = NDArray.zeros(DType.FLOAT64, 4);
        REFERENCE.layerNormBackward(g, x, mean, rstd, w, dx, dw, db);
        double[] expected = {0.25, -0.1875, -0.125, 0.0625};
        for (int i = 0; i < 4; i++) assertEquals(expected[i], dx.toDoubleArray()[i], 1e-12, "dx " + i);
        assertArrayEquals(new double[] {-1, 0, 0, 0}, dw.toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {1, 0, 0, 0}, db.toDoubleArray(), 1e-12);
    }

    /** Forward statistics and every backward output of the vector kernels against the reference's. */
    private static void checkBackward(NDArray g, NDArray x, NDArray w, String what) {
        int rows = x.shape(0), n = x.shape(1);
        NDArray mean = zeros(rows), rstd = zeros(rows), vMean = zeros(rows), vRstd = zeros(rows);
        REFERENCE.layerNorm(x, w, null, 1e-5, zeros(rows, n), mean, rstd);
        VECTOR.layerNorm(x, w, null, 1e-5, zeros(rows, n), vMean, vRstd);
        double tol = 2e-6 * Math.sqrt(n) + 1e-6;
        VectorChecks.assertClose(mean, vMean, tol, tol, what + " mean");
        VectorChecks.assertClose(rstd, vRstd, tol, tol, what + " rstd");
        NDArray dx = zeros(rows, n), dw = zeros(n), db = zeros(n), vdx = zeros(rows, n), vdw = zeros(n), vdb = zeros(n);
        REFERENCE.layerNormBackward(g, x, mean, rstd, w, dx, dw, db);
        VECTOR.layerNormBackward(g, x, mean, rstd, w, vdx, vdw, vdb);
        double sums = 4e-6 * Math.sqrt(rows * n) + 1e-5;
        VectorChecks.assertClose(dx, vdx, sums, sums, what + " gradInput");
        VectorChecks.assertClose(dw, vdw, sums, sums, what + " gradWeight");
        VectorChecks.assertClose(db, vdb, sums, sums, what + " gradBias");
        // each output alone (the others null): the same values
        NDArray only = zeros(rows, n);
        VECTOR.layerNormBackward(g, x, mean, rstd, w, only, null, null);
        assertBitwise(vdx, only, what + " gradInput alone");
        NDArray onlyBias = zeros(n);
        VECTOR.layerNormBackward(g, x, mean, rstd, w, null, null, onlyBias);
        assertBitwise(vdb, onlyBias, what + " gradBias alone");
    }

    @Test
    void vectorBackwardMatchesReferenceAtOddSizesAndOnViews() {
        for (int n : SIZES) {
            String at = "n=" + n;
            NDArray w = randn(gen, n);
            checkBackward(randn(gen, 5, n), randn(gen, 5, n).add(3), w, at);
            checkBackward(randn(gen, 3, n), randn(gen, 3, n), null, at + " no weight");
            // rows apart (unit column stride, row stride 2n + 3): the vector path with row strides
            NDArray apart = NDArray.zeros(DType.FLOAT32, 4, 2 * n + 3).narrow(1, 2, n).assign(randn(gen, 4, n));
            NDArray gApart = NDArray.zeros(DType.FLOAT32, 4, n + 1).narrow(1, 1, n).assign(randn(gen, 4, n));
            checkBackward(gApart, apart, w, at + " rows apart");
            // non-unit column strides: the reference path of the vector backend
            checkBackward(VectorChecks.transposed(randn(gen, 3, n)), VectorChecks.spaced(randn(gen, 3, n)), w, at + " strided");
        }
        // many rows: several chunks of partial column sums
        checkBackward(randn(gen, 1001, 129), randn(gen, 1001, 129), randn(gen, 129), "1001 rows");
    }

    @Test
    void backwardHasTheSameBitsForEveryThreadCount() {
        NDArray x = randn(gen, 1001, 129), g = randn(gen, 1001, 129), w = randn(gen, 129), mean = zeros(1001), rstd = zeros(1001);
        REFERENCE.layerNorm(x, w, null, 1e-5, zeros(1001, 129), mean, rstd);
        NDArray[] one = {zeros(1001, 129), zeros(129), zeros(129)}, three = {zeros(1001, 129), zeros(129), zeros(129)};
        new VectorBackend(1).layerNormBackward(g, x, mean, rstd, w, one[0], one[1], one[2]);
        new VectorBackend(3).layerNormBackward(g, x, mean, rstd, w, three[0], three[1], three[2]);
        for (int i = 0; i < 3; i++) assertBitwise(one[i], three[i], "output " + i + ", 1 vs 3 threads");
    }

    @Test
    void ndarrayBackwardChecksShapesAndHandlesEmptyRows() {
        NDArray x = randn(gen, 2, 3, 4), g = randn(gen, 2, 3, 4), w = randn(gen, 4);
        NDArray[] outMeanRstd = x.layerNormWithStatistics(new int[] {4}, w, null, 1e-5);
        assertArrayEquals(new int[] {6}, outMeanRstd[1].shape());
        NDArray[] d = g.layerNormBackward(x, new int[] {4}, outMeanRstd[1], outMeanRstd[2], w, true, true, false);
        assertArrayEquals(x.shape(), d[0].shape());
        assertArrayEquals(new int[] {4}, d[1].shape());
        assertEquals(null, d[2]);
        NDArray expected = zeros(6, 4);
        REFERENCE.layerNormBackward(g.reshape(6, 4), x.reshape(6, 4), outMeanRstd[1], outMeanRstd[2], w, expected, null, null);
        VectorChecks.assertClose(expected.reshape(2, 3, 4), d[0], 1e-5, 1e-5, "through NDArray");
        // no rows: an empty input gradient, and zero sums for the weight and bias
        NDArray empty = zeros(0, 5);
        NDArray[] e = empty.layerNormBackward(empty, new int[] {5}, zeros(0), zeros(0), randn(gen, 5), true, true, true);
        assertEquals(0, e[0].numel());
        assertArrayEquals(new double[5], e[1].toDoubleArray());
        assertArrayEquals(new double[5], e[2].toDoubleArray());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> randn(gen, 2, 3, 5).layerNormBackward(x, new int[] {4}, outMeanRstd[1], outMeanRstd[2], w, true, false, false));
        assertTrue(ex.getMessage().contains("layerNormBackward") && ex.getMessage().contains("[2, 3, 5]"), ex.getMessage());
    }
}
