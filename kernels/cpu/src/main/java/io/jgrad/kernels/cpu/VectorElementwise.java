package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 elementwise kernels: copy, fill, unary and binary ops. Each walks a {@link LoopNest}, so contiguous
 * arrays are one long run and broadcasts by expansion (a scalar, a row) are runs whose inner stride is 0 or 1.
 * Runs where every input moves by 0 or 1 and the output by 1 go through one SIMD loop; the ops without a
 * vector form (sign, erf, gelu, pow) and runs with other strides use the reference's scalar definition
 * ({@link ReferenceBackend#apply}) on the raw arrays.
 *
 * <p>The vector forms compute in float32 where the reference computes in double and rounds once: identical
 * results for +, -, ×, ÷, sqrt, abs, neg, max, min, relu, clamp and the comparisons (a double result of
 * float operands rounds to the correctly rounded float); about one ulp apart for exp and sigmoid, which use
 * {@link VectorMath#exp} (the Vector API's own transcendentals give different bits compiled and interpreted,
 * so log and tanh take the scalar path).
 */
final class VectorElementwise {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    /** Below this many elements a kernel runs on the calling thread alone. */
    static final int MIN_PARALLEL = 1 << 16;

    private VectorElementwise() {
    }

    static float[] floats(NDArray x) {
        return VectorGemm.floats(x);
    }

    // ---- copy and fill --------------------------------------------------------------------------

    static void copy(NDArray src, NDArray dst, KernelPool pool) {
        float[] s = floats(src), d = floats(dst);
        LoopNest nest = LoopNest.of(dst.shape(), src, dst);
        int ss = nest.innerStride(0), ds = nest.innerStride(1);
        nest.forEachSegment(pool, MIN_PARALLEL, (ps, pd, unused, n) -> {
            if (ss == 1 && ds == 1) {
                System.arraycopy(s, ps, d, pd, n);
            } else {
                for (int i = 0; i < n; i++) d[pd + i * ds] = s[ps + i * ss];
            }
        });
    }

    static void fill(NDArray dst, double value, KernelPool pool) {
        float[] d = floats(dst);
        float v = (float) value;
        LoopNest nest = LoopNest.of(dst.shape(), dst);
        int ds = nest.innerStride(0);
        nest.forEachSegment(pool, MIN_PARALLEL, (pd, unused1, unused2, n) -> {
            if (ds == 1) java.util.Arrays.fill(d, pd, pd + n, v);
            else for (int i = 0; i < n; i++) d[pd + i * ds] = v;
        });
    }

    // ---- unary ----------------------------------------------------------------------------------

    static void unary(UnaryOp op, NDArray x, NDArray out, double alpha, double beta, KernelPool pool) {
        float[] xs = floats(x), os = floats(out);
        LoopNest nest = LoopNest.of(out.shape(), x, out);
        int sx = nest.innerStride(0), so = nest.innerStride(1);
        boolean vector = hasVectorForm(op) && sx == 1 && so == 1;
        float a = (float) alpha, b = (float) beta;
        nest.forEachSegment(pool, MIN_PARALLEL, (px, po, unused, n) -> {
            if (vector) {
                int i = 0;
                for (int bound = S.loopBound(n); i < bound; i += LANES) {
                    map(op, FloatVector.fromArray(S, xs, px + i), a, b).intoArray(os, po + i);
                }
                if (i < n) { // tail: one masked vector
                    VectorMask<Float> m = S.indexInRange(i, n);
                    map(op, FloatVector.fromArray(S, xs, px + i, m), a, b).intoArray(os, po + i, m);
                }
            } else {
                for (int i = 0; i < n; i++) os[po + i * so] = (float) ReferenceBackend.apply(op, xs[px + i * sx], alpha, beta);
            }
        });
    }

    private static boolean hasVectorForm(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, EXP, SQRT, RSQRT, RECIPROCAL, SQUARE, SIGMOID, RELU, LEAKY_RELU, CLAMP -> true;
            case LOG, TANH, SIGN, ERF, GELU_ERF, GELU_TANH, POW_SCALAR -> false;
        };
    }

    /** The vector form of {@code op} (see {@link ReferenceBackend#apply(UnaryOp, double, double, double)}). */
    private static FloatVector map(UnaryOp op, FloatVector x, float alpha, float beta) {
        return switch (op) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case EXP -> VectorMath.exp(x);
            case SQRT -> x.sqrt();
            case RSQRT -> FloatVector.broadcast(S, 1f).div(x.sqrt());
            case RECIPROCAL -> FloatVector.broadcast(S, 1f).div(x);
            case SQUARE -> x.mul(x);
            case SIGMOID -> FloatVector.broadcast(S, 1f).div(VectorMath.exp(x.neg()).add(1f));
            case RELU -> x.max(0f);
            case LEAKY_RELU -> x.mul(alpha).blend(x, x.compare(VectorOperators.GT, 0f));
            case CLAMP -> x.max(alpha).min(beta);
            case LOG, TANH, SIGN, ERF, GELU_ERF, GELU_TANH, POW_SCALAR -> throw new AssertionError(op + " has no vector form");
        };
    }

    // ---- binary ---------------------------------------------------------------------------------

    static void binary(BinaryOp op, NDArray a, NDArray b, NDArray out, KernelPool pool) {
        float[] as = floats(a), bs = floats(b), os = floats(out);
        LoopNest nest = LoopNest.of(out.shape(), a, b, out);
        int sa = nest.innerStride(0), sb = nest.innerStride(1), so = nest.innerStride(2);
        boolean vector = op != BinaryOp.POW && (sa == 0 || sa == 1) && (sb == 0 || sb == 1) && so == 1;
        nest.forEachSegment(pool, MIN_PARALLEL, (pa, pb, po, n) -> {
            if (vector) {
                int i = 0;
                for (int bound = S.loopBound(n); i < bound; i += LANES) {
                    map(op, load(as, pa, sa, i), load(bs, pb, sb, i)).intoArray(os, po + i);
                }
                for (; i < n; i++) { // scalar tail, in float like the vector lanes
                    os[po + i] = map(op, as[pa + i * sa], bs[pb + i * sb]);
                }
            } else {
                for (int i = 0; i < n; i++) os[po + i * so] = (float) ReferenceBackend.apply(op, as[pa + i * sa], bs[pb + i * sb]);
            }
        });
    }

    /** Lanes {@code i ..} of a run with inner stride 0 (one value broadcast) or 1. */
    private static FloatVector load(float[] x, int pos, int stride, int i) {
        return stride == 0 ? FloatVector.broadcast(S, x[pos]) : FloatVector.fromArray(S, x, pos + i);
    }

    private static FloatVector map(BinaryOp op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAXIMUM -> a.max(b);
            case MINIMUM -> a.min(b);
            case RELU_BACKWARD -> a.mul(ones(b.compare(VectorOperators.GT, 0f)));
            case EQ -> ones(a.compare(VectorOperators.EQ, b));
            case NE -> ones(a.compare(VectorOperators.NE, b));
            case LT -> ones(a.compare(VectorOperators.LT, b));
            case LE -> ones(a.compare(VectorOperators.LE, b));
            case GT -> ones(a.compare(VectorOperators.GT, b));
            case GE -> ones(a.compare(VectorOperators.GE, b));
            case POW -> throw new AssertionError("pow has no vector form");
        };
    }

    /** The scalar twin of {@link #map(BinaryOp, FloatVector, FloatVector)}, for tails. */
    private static float map(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case RELU_BACKWARD -> a * (b > 0 ? 1f : 0f);
            case EQ -> a == b ? 1f : 0f;
            case NE -> a != b ? 1f : 0f;
            case LT -> a < b ? 1f : 0f;
            case LE -> a <= b ? 1f : 0f;
            case GT -> a > b ? 1f : 0f;
            case GE -> a >= b ? 1f : 0f;
            case POW -> throw new AssertionError("pow has no vector form");
        };
    }

    private static FloatVector ones(VectorMask<Float> m) {
        return FloatVector.zero(S).blend(1f, m);
    }
}
