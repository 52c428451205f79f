package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.SIZES;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.assertBitwise;
import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.UnaryOp;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Vector elementwise kernels against the reference at odd sizes, with strided, broadcast and special values. */
class VectorElementwiseTest {

    /** Ops whose float32 result is the correctly rounded reference value, so the bits must agree. */
    static final Set<UnaryOp> EXACT = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.SQRT, UnaryOp.RECIPROCAL,
            UnaryOp.SQUARE, UnaryOp.RELU, UnaryOp.CLAMP, UnaryOp.ERF, UnaryOp.GELU_ERF, UnaryOp.GELU_TANH, UnaryOp.POW_SCALAR);

    private final Generator gen = new Generator(11);

    /** Random values with NaN, ±infinity, ±0 and values near the edges of exp sprinkled in. */
    private NDArray values(UnaryOp op, int... shape) {
        NDArray x = randn(gen, shape).mul(3);
        if (op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT || op == UnaryOp.POW_SCALAR) x = x.abs().add(1e-3);
        float[] v = x.toFloatArray();
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 88f, -103f, 1e-30f};
        for (int i = 0; i < v.length; i += 7) v[i] = special[(i / 7) % special.length];
        return NDArray.of(v, shape);
    }

    private static void checkUnary(UnaryOp op, NDArray x, NDArray out, String what) {
        double alpha = op == UnaryOp.CLAMP ? -0.7 : op == UnaryOp.POW_SCALAR ? 1.5 : 0.01, beta = 1.3;
        NDArray expected = zeros(out.shape());
        REFERENCE.unary(op, x, expected, alpha, beta);
        VECTOR.unary(op, x, out, alpha, beta);
        if (EXACT.contains(op)) assertBitwise(expected, out, what);
        else VectorChecks.assertClose(expected, out, 2e-6, 1e-7, what);
    }

    @org.junit.jupiter.api.Test
    void float32PowOfTwoAndOneAreThePowKernelsBits() {
        for (int n : SIZES) {
            for (NDArray x : new NDArray[] {randn(gen, 3, n).mul(3), VectorChecks.spaced(values(UnaryOp.SQUARE, 3, n)), values(UnaryOp.SQUARE, n, 3).t()}) {
                for (double p : new double[] {2, 1}) {
                    NDArray expected = zeros(x.shape());
                    REFERENCE.unary(UnaryOp.POW_SCALAR, x, expected, p, 0);
                    assertBitwise(expected, x.pow(p), "pow(" + p + ") n=" + n);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryAtEverySizeAndLayout(UnaryOp op) {
        for (int n : SIZES) {
            checkUnary(op, values(op, n), zeros(n), op + " n=" + n);
            checkUnary(op, VectorChecks.spaced(values(op, 3, n)), zeros(3, n), op + " spaced input n=" + n);
            checkUnary(op, values(op, 3, n), VectorChecks.spaced(zeros(3, n)), op + " spaced output n=" + n);
            checkUnary(op, values(op, n, 3).t(), zeros(3, n), op + " transposed input n=" + n);
        }
        checkUnary(op, values(op), zeros(), op + " rank 0");
    }

    private static void checkBinary(BinaryOp op, NDArray a, NDArray b, NDArray out, String what) {
        NDArray expected = zeros(out.shape());
        REFERENCE.binary(op, a, b, expected);
        VECTOR.binary(op, a, b, out);
        assertBitwise(expected, out, what);
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryAtEverySizeAndBroadcast(BinaryOp op) {
        for (int n : SIZES) {
            NDArray a = values(UnaryOp.NEG, 3, n), b = values(UnaryOp.NEG, 3, n);
            if (op == BinaryOp.POW) a = a.abs();
            b.set(a.get(0, 0), 0, 0); // equal elements for the comparisons
            String at = op + " n=" + n;
            checkBinary(op, a, b, zeros(3, n), at + " same shape");
            checkBinary(op, a, NDArray.scalar(DType.FLOAT32, 0.75).expand(3, n), zeros(3, n), at + " scalar b");
            checkBinary(op, NDArray.scalar(DType.FLOAT32, -1.25).expand(3, n), b, zeros(3, n), at + " scalar a");
            checkBinary(op, a, b.select(0, 1).expand(3, n), zeros(3, n), at + " row broadcast");
            checkBinary(op, a, b.narrow(1, 0, 1).expand(3, n), zeros(3, n), at + " column broadcast");
            checkBinary(op, VectorChecks.spaced(a), VectorChecks.transposed(b), VectorChecks.spaced(zeros(3, n)), at + " strided");
        }
    }

    /** The fused ReLU gradient is the composed {@code g.mul(x.gt(0))} bit for bit, every special of g against every special of x. */
    @Test
    void reluBackwardIsTheComposedProduct() {
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e-30f, -2.5f, 3f};
        int k = special.length, n = 4099;
        float[] g = new float[n], x = new float[n];
        float[] random = randn(gen, n).toFloatArray();
        for (int i = 0; i < n; i++) {
            g[i] = i < k * k ? special[i / k] : random[i];
            x[i] = i < k * k ? special[i % k] : random[n - 1 - i];
        }
        NDArray ga = NDArray.of(g, n), xa = NDArray.of(x, n);
        for (io.jgrad.tensor.spi.Backend backend : new io.jgrad.tensor.spi.Backend[] {REFERENCE, VECTOR}) {
            NDArray mask = zeros(n), composed = zeros(n), fused = zeros(n);
            backend.binary(BinaryOp.GT, xa, NDArray.scalar(DType.FLOAT32, 0).expand(n), mask);
            backend.binary(BinaryOp.MUL, ga, mask, composed);
            backend.binary(BinaryOp.RELU_BACKWARD, ga, xa, fused);
            assertBitwise(composed, fused, backend.name() + " relu backward");
        }
    }

    @Test
    void inPlaceAddThroughTheSameArray() {
        NDArray a = randn(gen, 5, 257), b = randn(gen, 257);
        NDArray expected = a.copy();
        REFERENCE.binary(BinaryOp.ADD, expected, b.expand(5, 257), expected);
        VECTOR.binary(BinaryOp.ADD, a, b.expand(5, 257), a);
        assertBitwise(expected, a, "a += b");
    }

    @Test
    void copyAndFillAnyLayout() {
        for (int n : SIZES) {
            NDArray x = randn(gen, 4, n);
            NDArray out = zeros(n, 4).t();
            VECTOR.copy(x, out);
            assertBitwise(x, out, "copy into transposed n=" + n);
            NDArray back = zeros(4, n);
            VECTOR.copy(VectorChecks.spaced(out), back);
            assertBitwise(x, back, "copy from spaced n=" + n);
            NDArray broadcast = zeros(4, n);
            VECTOR.copy(x.select(0, 2).expand(4, n), broadcast);
            assertBitwise(x.select(0, 2).expand(4, n).contiguous(), broadcast, "copy of an expanded row n=" + n);
            NDArray filled = VectorChecks.spaced(zeros(4, n));
            VECTOR.fill(filled, 0.1);
            assertBitwise(NDArray.full(DType.FLOAT32, 0.1, 4, n), filled, "fill n=" + n);
        }
    }

    /** The first calls run interpreted, later ones compiled: the bits must not change with the JIT. */
    @Test
    void sameBitsColdAndWarm() {
        NDArray x = randn(gen, 1021).mul(4), cold = zeros(1021), warm = zeros(1021);
        VectorBackend fresh = new VectorBackend(1);
        fresh.unary(UnaryOp.EXP, x, cold, 0, 0);
        NDArray coldSoftmax = zeros(3, 1021), warmSoftmax = zeros(3, 1021), coldSum = zeros(1), warmSum = zeros(1);
        fresh.softmax(x.expand(3, 1021).contiguous(), 1, false, coldSoftmax);
        fresh.reduce(io.jgrad.tensor.spi.ReduceOp.SUM, x, coldSum);
        for (int i = 0; i < 10_000; i++) {
            fresh.unary(UnaryOp.EXP, x, warm, 0, 0);
            fresh.softmax(x.expand(3, 1021).contiguous(), 1, false, warmSoftmax);
            fresh.reduce(io.jgrad.tensor.spi.ReduceOp.SUM, x, warmSum);
        }
        assertBitwise(cold, warm, "exp");
        assertBitwise(coldSoftmax, warmSoftmax, "softmax");
        assertBitwise(coldSum, warmSum, "sum");
    }

    @Test
    void largeArraysSplitAcrossThreadsGiveTheSameBits() {
        NDArray a = randn(gen, 300_001), b = randn(gen, 300_001);
        NDArray one = zeros(300_001), three = zeros(300_001);
        new VectorBackend(1).binary(BinaryOp.MUL, a, b, one);
        new VectorBackend(3).binary(BinaryOp.MUL, a, b, three);
        assertBitwise(one, three, "mul, 1 vs 3 threads");
        new VectorBackend(1).unary(UnaryOp.EXP, a, one, 0, 0);
        new VectorBackend(3).unary(UnaryOp.EXP, a, three, 0, 0);
        assertBitwise(one, three, "exp, 1 vs 3 threads");
    }
}
