package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.SIZES;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.assertBitwise;
import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

/** Layer normalisation: the reference by hand, the vector kernel against it at odd sizes and on strided views. */
class VectorNormalizationTest {

    private final Generator gen = new Generator(11);

    @Test
    void referenceByHand() {
        // row [1, 2, 3, 6]: mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5
        NDArray x = NDArray.of(new double[] {1, 2, 3, 6}, 1, 4);
        NDArray w = NDArray.of(new double[] {1, 2, 1, 1}, 4), b = NDArray.of(new double[] {0, 0, 0, 10}, 4);
        NDArray out = NDArray.zeros(DType.FLOAT64, 1, 4);
        REFERENCE.layerNorm(x, w, b, 0.5, out);
        double std = Math.sqrt(3.5 + 0.5);
        double[] expected = {-2 / std, 2 * -1 / std, 0, 3 / std + 10};
        double[] actual = out.toDoubleArray();
        for (int i = 0; i < 4; i++) assertEquals(expected[i], actual[i], 1e-12, "element " + i);
    }

    private static void check(NDArray x, NDArray w, NDArray b, String what) {
        int rows = x.shape(0), n = x.shape(1);
        NDArray expected = zeros(rows, n), actual = zeros(rows, n);
        REFERENCE.layerNorm(x, w, b, 1e-5, expected);
        VECTOR.layerNorm(x, w, b, 1e-5, actual);
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
        VECTOR.layerNorm(x, null, b, 1e-5, out);
        assertBitwise(b.expand(2, 33).copy(), out, "zero variance: (x - mean) = 0 exactly");
    }

    @Test
    void sameBitsForEveryThreadCount() {
        NDArray x = randn(gen, 1001, 129), w = randn(gen, 129), one = zeros(1001, 129), three = zeros(1001, 129);
        new VectorBackend(1).layerNorm(x, w, null, 1e-5, one);
        new VectorBackend(3).layerNorm(x, w, null, 1e-5, three);
        assertBitwise(one, three, "1 vs 3 threads");
    }

    @Test
    void ndarrayNormalisesTrailingDimsAndChecksShapes() {
        NDArray x = randn(gen, 2, 3, 4, 5), w = randn(gen, 4, 5), b = randn(gen, 4, 5);
        NDArray y = x.layerNorm(new int[] {4, 5}, w, b, 1e-5);
        NDArray expected = zeros(6, 20);
        REFERENCE.layerNorm(x.reshape(6, 20), w.reshape(20), b.reshape(20), 1e-5, expected);
        VectorChecks.assertClose(expected.reshape(2, 3, 4, 5), y, 1e-5, 1e-5, "rank 4 over the last two dims");
        // a permuted (non-viewable) input is copied to rows first
        NDArray p = randn(gen, 5, 4, 3).permute(2, 1, 0);
        NDArray expectedP = zeros(3, 20);
        REFERENCE.layerNorm(p.contiguous().reshape(3, 20), null, null, 1e-5, expectedP);
        VectorChecks.assertClose(expectedP.reshape(3, 4, 5), p.layerNorm(new int[] {4, 5}, null, null, 1e-5), 1e-5, 1e-5, "permuted input");
        assertEquals(0, zeros(0, 7).layerNorm(new int[] {7}, null, null, 1e-5).numel());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.layerNorm(new int[] {5, 4}, null, null, 1e-5));
        assertTrue(e.getMessage().contains("layerNorm") && e.getMessage().contains("[2, 3, 4, 5]") && e.getMessage().contains("[5, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.layerNorm(new int[] {4, 5}, randn(gen, 20), null, 1e-5));
        assertTrue(e.getMessage().contains("weight") && e.getMessage().contains("[20]"), e.getMessage());
    }
}
