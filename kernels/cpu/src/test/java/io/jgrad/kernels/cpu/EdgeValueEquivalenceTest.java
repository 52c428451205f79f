package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.UnaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * PyTorch's OpInfo idea for the vector backend: every constant of the op enums (a new op is covered without
 * editing this test) run on the float edge values (±0, subnormals, the smallest normal, ±inf, NaN, the exp
 * overflow and underflow boundaries, ±max) in contiguous runs (the SIMD path), transposed views and 0-d
 * arrays, against the reference.
 */
class EdgeValueEquivalenceTest {

    static final float[] EDGES = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL, 1e-30f, -1e-30f,
            1f, -1f, 0.5f, -2.5f, 3f, 88.72283f, 88.7229f, -87.34f, -103.9f, -104f, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};

    private static NDArray zeros(int... shape) {
        return NDArray.zeros(DType.FLOAT32, shape);
    }

    /** NaN where NaN, the same infinities, finite values within a few ulps (and a few subnormal steps). */
    private static void assertEquivalent(NDArray expected, NDArray actual, String what) {
        VectorChecks.assertClose(expected, actual, 4e-6, 1e-44, what);
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryOpsOnEdgeValues(UnaryOp op) {
        double alpha = op == UnaryOp.CLAMP ? -1 : op == UnaryOp.POW_SCALAR ? 2.5 : 0.01, beta = 3;
        NDArray x = NDArray.of(EDGES, EDGES.length);
        NDArray expected = zeros(EDGES.length), actual = zeros(EDGES.length);
        REFERENCE.unary(op, x, expected, alpha, beta);
        VECTOR.unary(op, x, actual, alpha, beta);
        assertEquivalent(expected, actual, op + " contiguous");
        for (float v : EDGES) {
            NDArray scalar = NDArray.scalar(DType.FLOAT32, v), e = zeros(), a = zeros();
            REFERENCE.unary(op, scalar, e, alpha, beta);
            VECTOR.unary(op, scalar, a, alpha, beta);
            assertEquivalent(e, a, op + " 0-d " + v);
        }
    }

    /** Every pair of edge values, once as two contiguous rows and once with the second operand broadcast. */
    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryOpsOnEveryPairOfEdgeValues(BinaryOp op) {
        int n = EDGES.length;
        float[] a = new float[n * n], b = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i * n + j] = EDGES[i];
                b[i * n + j] = EDGES[j];
            }
        }
        NDArray expected = zeros(n, n), actual = zeros(n, n);
        REFERENCE.binary(op, NDArray.of(a, n, n), NDArray.of(b, n, n), expected);
        VECTOR.binary(op, NDArray.of(a, n, n), NDArray.of(b, n, n), actual);
        assertEquivalent(expected, actual, op + " pairs");
        NDArray row = NDArray.of(EDGES, 1, n).expand(n, n), column = NDArray.of(EDGES, n, 1).expand(n, n);
        REFERENCE.binary(op, column, row, expected);
        VECTOR.binary(op, column, row, actual);
        assertEquivalent(expected, actual, op + " broadcast");
    }

    @ParameterizedTest
    @EnumSource(ReduceOp.class)
    void reductionsOverEdgeValues(ReduceOp op) {
        // Each row holds one edge value among ordinary ones; the whole array mixes them all.
        int n = EDGES.length, width = 37;
        float[] v = new float[n * width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) v[i * width + j] = j == 11 ? EDGES[i] : (j % 5) - 2f;
        }
        NDArray x = NDArray.of(v, n, width);
        for (int[] outShape : new int[][] {{n, 1}, {1, width}, {1, 1}}) {
            NDArray expected = zeros(outShape), actual = zeros(outShape);
            REFERENCE.reduce(op, x, expected);
            VECTOR.reduce(op, x, actual);
            VectorChecks.assertClose(expected, actual, 1e-5, 1e-30, op + " to " + java.util.Arrays.toString(outShape));
        }
    }

    @Test
    void softmaxRowsWithEdgeValues() {
        float inf = Float.POSITIVE_INFINITY;
        float[][] rows = {{0, -inf, 1}, {-inf, -inf, -inf}, {inf, 0, 1}, {Float.NaN, 0, 1}, {-Float.MAX_VALUE, 0, Float.MAX_VALUE}, {0, -100, -105}};
        for (boolean log : new boolean[] {false, true}) {
            for (float[] row : rows) {
                NDArray x = NDArray.of(row, 1, row.length), expected = zeros(1, row.length), actual = zeros(1, row.length);
                REFERENCE.softmax(x, 1, log, expected);
                VECTOR.softmax(x, 1, log, actual);
                assertEquivalent(expected, actual, (log ? "logSoftmax " : "softmax ") + java.util.Arrays.toString(row));
            }
        }
    }

    @Test
    void matmulWithNonFiniteAndSubnormalEntries() {
        float inf = Float.POSITIVE_INFINITY;
        float[] a = {1, inf, 0, Float.NaN, Float.MIN_VALUE, -0f, 1e-30f, 2, -inf, 1, 1, 1};
        float[] b = {0, 1, -0f, Float.MIN_VALUE, 1, 1e30f, 2, 3, 1, 1, 1, -1};
        NDArray x = NDArray.of(a, 4, 3), y = NDArray.of(b, 3, 4);
        NDArray expected = zeros(4, 4), actual = zeros(4, 4);
        REFERENCE.matmul(x, y, expected);
        VECTOR.matmul(x, y, actual);
        assertEquivalent(expected, actual, "matmul");
    }

    /** {@link #EDGES} cycled into {@code shape}, without ±max (sums of those overflow or not depending on their order). */
    private static NDArray edgeImage(int... shape) {
        int count = io.jgrad.tensor.Shapes.numel(shape);
        float[] v = new float[count];
        for (int i = 0, k = 0; i < count; i++, k++) {
            while (Math.abs(EDGES[k % EDGES.length]) == Float.MAX_VALUE) k++;
            v[i] = EDGES[k % EDGES.length];
        }
        return NDArray.of(v, shape);
    }

    @Test
    void convolutionAndItsGradientsOnEdgeValues() {
        io.jgrad.tensor.spi.ConvParams p = new io.jgrad.tensor.spi.ConvParams(1, 1, 1, 1, 1, 1, 1);
        NDArray input = edgeImage(2, 3, 5, 5), weight = NDArray.randn(new io.jgrad.tensor.Generator(3), DType.FLOAT32, 4, 3, 3, 3);
        NDArray bias = NDArray.of(new float[] {0, -0f, Float.NaN, 1}, 4);
        io.jgrad.tensor.spi.ConvGeometry g = io.jgrad.tensor.spi.ConvGeometry.of(input.shape(), weight.shape(), p);
        NDArray expected = zeros(g.outputShape()), actual = zeros(g.outputShape());
        REFERENCE.conv2d(input, weight, bias, g, expected);
        VECTOR.conv2d(input, weight, bias, g, actual);
        VectorChecks.assertClose(expected, actual, 1e-4, 1e-30, "conv2d");
        NDArray gradOut = edgeImage(g.outputShape());
        NDArray ew = zeros(weight.shape()), aw = zeros(weight.shape());
        REFERENCE.conv2dBackwardWeight(input, gradOut, g, ew);
        VECTOR.conv2dBackwardWeight(input, gradOut, g, aw);
        VectorChecks.assertClose(ew, aw, 1e-4, 1e-30, "conv2d weight gradient");
        NDArray ei = zeros(input.shape()), ai = zeros(input.shape());
        REFERENCE.conv2dBackwardInput(gradOut, weight, g, ei);
        VECTOR.conv2dBackwardInput(gradOut, weight, g, ai);
        VectorChecks.assertClose(ei, ai, 1e-4, 1e-30, "conv2d input gradient");
    }

    @Test
    void poolingOnEdgeValues() {
        NDArray input = edgeImage(2, 3, 6, 6);
        for (io.jgrad.tensor.spi.PoolParams p : new io.jgrad.tensor.spi.PoolParams[] {
                new io.jgrad.tensor.spi.PoolParams(2, 2, 2, 2, 0, 0), new io.jgrad.tensor.spi.PoolParams(3, 3, 1, 1, 1, 1)}) {
            io.jgrad.tensor.spi.PoolGeometry g = io.jgrad.tensor.spi.PoolGeometry.of(input.shape(), p);
            NDArray em = zeros(g.outputShape()), am = zeros(g.outputShape());
            NDArray ei = NDArray.zeros(DType.INT64, g.outputShape()), ai = NDArray.zeros(DType.INT64, g.outputShape());
            REFERENCE.maxPool2d(input, g, em, ei);
            VECTOR.maxPool2d(input, g, am, ai);
            assertEquivalent(em, am, "maxPool2d " + p);
            assertArrayEquals(ei.toLongArray(), ai.toLongArray(), "maxPool2d indices " + p);
            NDArray ea = zeros(g.outputShape()), aa = zeros(g.outputShape());
            REFERENCE.avgPool2d(input, g, ea);
            VECTOR.avgPool2d(input, g, aa);
            VectorChecks.assertClose(ea, aa, 1e-5, 1e-30, "avgPool2d " + p);
        }
    }

    @Test
    void indexOpsCopyEdgeValuesExactly() {
        NDArray x = edgeImage(3, 7);
        NDArray index = NDArray.of(new long[] {6, 0, 3, 3, 1, 2}, 3, 2);
        NDArray expected = zeros(3, 2), actual = zeros(3, 2);
        REFERENCE.gather(x, 1, index, expected);
        VECTOR.gather(x, 1, index, actual);
        VectorChecks.assertBitwise(expected, actual, "gather");
        NDArray rows = NDArray.of(new long[] {2, 0}, 2), es = zeros(2, 7), as = zeros(2, 7);
        REFERENCE.indexSelect(x, 0, rows, es);
        VECTOR.indexSelect(x, 0, rows, as);
        VectorChecks.assertBitwise(es, as, "indexSelect");
    }

    @Test
    void emptyAndZeroDimArraysThroughEveryOpFamily() {
        // Through NDArray, which skips the kernels of empty results (the default CPU backend is the vector one).
        NDArray empty = zeros(0, 5), scalar = NDArray.scalar(DType.FLOAT32, -2);
        assertArrayEquals(new int[] {0, 5}, empty.exp().shape());
        assertArrayEquals(new int[] {0, 5}, empty.sigmoid().shape());
        assertArrayEquals(new int[] {0, 5}, empty.add(NDArray.of(new float[5], 5)).shape());
        assertArrayEquals(new int[] {5}, empty.sum(0).shape());
        assertArrayEquals(new int[] {0, 7}, empty.matmul(zeros(5, 7)).shape());
        assertArrayEquals(new float[] {0, 0}, zeros(2, 0).matmul(zeros(0, 1)).reshape(-1).toFloatArray());
        assertArrayEquals(new int[] {0, 5}, empty.softmax(1).shape());
        assertArrayEquals(new int[] {0, 2}, empty.gather(1, NDArray.zeros(DType.INT64, 0, 2)).shape());
        assertArrayEquals(new int[] {0, 3, 2, 2}, zeros(0, 3, 4, 4).maxPool2d(new io.jgrad.tensor.spi.PoolParams(2, 2, 2, 2, 0, 0)).shape());
        assertTrue(scalar.exp().item() > 0.135 && scalar.exp().item() < 0.136);
        assertArrayEquals(new float[] {-2}, scalar.transpose(0, -1).reshape(1).toFloatArray());
    }

    @Test
    void gatherOutOfRangeNamesOpValueDimAndShapes() {
        NDArray x = zeros(2, 3), index = NDArray.of(new long[] {0, 7, 1, 2}, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.gather(1, index));
        assertTrue(e.getMessage().equals("gather: index 7 is out of range for dim 1 of size 3 (input shape [2, 3], index shape [2, 2])"), e.getMessage());
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> x.clamp(2, 1));
        assertTrue(c.getMessage().contains("[2, 3]"), c.getMessage());
    }
}
