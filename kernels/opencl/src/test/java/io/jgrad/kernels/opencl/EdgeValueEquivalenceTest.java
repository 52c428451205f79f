package io.jgrad.kernels.opencl;

import static io.jgrad.kernels.opencl.OpenClTesting.REFERENCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.UnaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The OpenCL backend against the reference on the float edge values (±0, subnormals, ±inf, NaN, the exp
 * boundaries, ±max) for every constant of the op enums, on 0-d and empty arrays, and on int64 values beyond
 * 2^53 (exact, wrapping). Subnormal results may be flushed to zero by a device, so finite values are compared
 * with an absolute floor of the smallest normal float.
 */
class EdgeValueEquivalenceTest {

    static final float[] EDGES = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-30f, -1e-30f, 1f, -1f, 0.5f, -2.5f, 3f,
            88.72283f, 88.7229f, -87.34f, -104f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};

    private static void assertEquivalent(NDArray expected, NDArray actual, String what) {
        double[] e = expected.toDoubleArray(), a = actual.to(Device.CPU).toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean same = Double.isNaN(e[i]) ? Double.isNaN(a[i])
                    : Double.isInfinite(e[i]) ? e[i] == a[i]
                    : Math.abs(e[i] - a[i]) <= 1e-5 * Math.max(Math.abs(e[i]), Float.MIN_NORMAL / 1e-5);
            if (!same) throw new AssertionError(what + ": element " + i + ": reference " + e[i] + ", OpenCL " + a[i]);
        }
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryOpsOnEdgeValues(UnaryOp op) {
        OpenClBackend cl = OpenClTesting.backend();
        double alpha = op == UnaryOp.CLAMP ? -1 : op == UnaryOp.POW_SCALAR ? 2.5 : 0.01, beta = 3;
        NDArray x = NDArray.of(EDGES, EDGES.length), expected = NDArray.zeros(DType.FLOAT32, EDGES.length);
        REFERENCE.unary(op, x, expected, alpha, beta);
        NDArray actual = NDArray.zeros(DType.FLOAT32, cl.device(), EDGES.length);
        cl.unary(op, x.to(cl.device()), actual, alpha, beta);
        assertEquivalent(expected, actual, op.toString());
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryOpsOnEveryPairOfEdgeValues(BinaryOp op) {
        OpenClBackend cl = OpenClTesting.backend();
        int n = EDGES.length;
        NDArray row = NDArray.of(EDGES, 1, n).expand(n, n), column = NDArray.of(EDGES, n, 1).expand(n, n);
        NDArray expected = NDArray.zeros(DType.FLOAT32, n, n), actual = NDArray.zeros(DType.FLOAT32, cl.device(), n, n);
        REFERENCE.binary(op, column, row, expected);
        cl.binary(op, NDArray.of(EDGES, n, 1).to(cl.device()).expand(n, n), NDArray.of(EDGES, 1, n).to(cl.device()).expand(n, n), actual);
        assertEquivalent(expected, actual, op.toString());
    }

    @ParameterizedTest
    @EnumSource(ReduceOp.class)
    void reductionsOverEdgeValues(ReduceOp op) {
        OpenClBackend cl = OpenClTesting.backend();
        int n = EDGES.length, width = 5;
        float[] v = new float[n * width];
        for (int i = 0; i < n; i++) for (int j = 0; j < width; j++) v[i * width + j] = j == 2 ? EDGES[i] : j - 2f;
        NDArray x = NDArray.of(v, n, width), expected = NDArray.zeros(DType.FLOAT32, n, 1), actual = NDArray.zeros(DType.FLOAT32, cl.device(), n, 1);
        REFERENCE.reduce(op, x, expected);
        cl.reduce(op, x.to(cl.device()), actual);
        assertEquivalent(expected, actual, op.toString());
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
    void convolutionPoolingAndGatherOnEdgeValues() {
        Device d = OpenClTesting.device();
        NDArray input = edgeImage(2, 3, 6, 6);
        NDArray weight = OpenClTesting.randn(3, DType.FLOAT32, 4, 3, 3, 3), bias = NDArray.of(new float[] {0, -0f, Float.NaN, 1}, 4);
        io.jgrad.tensor.spi.ConvParams p = new io.jgrad.tensor.spi.ConvParams(1, 1, 1, 1, 1, 1, 1);
        assertEquivalent(input.conv2d(weight, bias, p), input.to(d).conv2d(weight.to(d), bias.to(d), p), "conv2d");
        io.jgrad.tensor.spi.PoolParams pool = new io.jgrad.tensor.spi.PoolParams(3, 3, 1, 1, 1, 1);
        NDArray[] expected = input.maxPool2dWithIndices(pool), actual = input.to(d).maxPool2dWithIndices(pool);
        assertEquivalent(expected[0], actual[0], "maxPool2d");
        assertArrayEquals(expected[1].toLongArray(), actual[1].to(Device.CPU).toLongArray(), "maxPool2d indices");
        assertEquivalent(input.avgPool2d(pool), input.to(d).avgPool2d(pool), "avgPool2d");
        NDArray x = edgeImage(3, 7), index = NDArray.of(new long[] {6, 0, 3, 3, 1, 2}, 3, 2);
        assertEquivalent(x.gather(1, index), x.to(d).gather(1, index.to(d)), "gather");
    }

    @Test
    void emptyAndZeroDimArrays() {
        Device d = OpenClTesting.device();
        NDArray empty = NDArray.zeros(DType.FLOAT32, d, 0, 4);
        assertArrayEquals(new int[] {0, 3}, empty.matmul(NDArray.zeros(DType.FLOAT32, d, 4, 3)).shape());
        assertArrayEquals(new float[] {0, 0, 0, 0}, NDArray.zeros(DType.FLOAT32, d, 2, 0).matmul(NDArray.zeros(DType.FLOAT32, d, 0, 2)).to(Device.CPU).reshape(-1).toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0, 0}, empty.sum(0).to(Device.CPU).toFloatArray());
        assertArrayEquals(new int[] {0, 4}, empty.exp().add(1).softmax(1).shape());
        NDArray scalar = NDArray.scalar(DType.FLOAT32, 2).to(d);
        assertArrayEquals(new float[] {4}, scalar.mul(scalar).transpose(0, -1).to(Device.CPU).reshape(1).toFloatArray());
    }

    @Test
    void int64ArithmeticIsExact() {
        Device d = OpenClTesting.device();
        long two53 = 1L << 53;
        NDArray a = NDArray.of(new long[] {two53, 4611686018427387905L, Long.MAX_VALUE}, 3).to(d);
        NDArray b = NDArray.of(new long[] {1, 2, 1}, 3).to(d);
        assertArrayEquals(new long[] {two53 + 1, 4611686018427387907L, Long.MIN_VALUE}, a.add(b).to(Device.CPU).toLongArray());
        assertArrayEquals(new long[] {two53, 4611686018427387905L * 2, Long.MAX_VALUE}, a.mul(b).to(Device.CPU).toLongArray());
        assertArrayEquals(new long[] {Long.MAX_VALUE}, a.amax().to(Device.CPU).reshape(1).toLongArray());
        assertArrayEquals(new long[] {two53 + 4611686018427387905L + Long.MAX_VALUE}, a.sum().to(Device.CPU).reshape(1).toLongArray());
    }
}
