package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
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
        boolean vector = hasVectorForm(op, alpha) && sx == 1 && so == 1;
        float a = (float) alpha, b = (float) beta;
        nest.forEachSegment(pool, MIN_PARALLEL, (px, po, unused, n) -> {
            if (vector) {
                int bound = S.loopBound(n);
                vectorRun(op, xs, px, os, po, bound, a, b);
                if (bound < n) { // tail: the same loop over one vector padded in this thread's buffer
                    float[] tail = Workspace.local().floats(Workspace.Slot.SPLAT_A, LANES);
                    java.util.Arrays.fill(tail, 0, LANES, 0f);
                    System.arraycopy(xs, px + bound, tail, 0, n - bound);
                    vectorRun(op, tail, 0, tail, 0, LANES, a, b);
                    System.arraycopy(tail, 0, os, po + bound, n - bound);
                }
            } else {
                for (int i = 0; i < n; i++) os[po + i * so] = (float) ReferenceBackend.apply(op, xs[px + i * sx], alpha, beta);
            }
        });
    }

    private static boolean hasVectorForm(UnaryOp op, double alpha) {
        return switch (op) {
            case NEG, ABS, EXP, SQRT, RSQRT, RECIPROCAL, SQUARE, SIGMOID, RELU, LEAKY_RELU, CLAMP -> true;
            // x² (Tensor.square, MSE loss) and x¹ (square's gradient): the reference's Math.pow gives x·x (exact in
            // double for a float x, so rounded once as the float product is) and x itself
            case POW_SCALAR -> alpha == 2 || alpha == 1;
            case LOG, TANH, SIGN, ERF, GELU_ERF, GELU_TANH -> false;
        };
    }

    /**
     * The vector form of {@code op} (see {@link ReferenceBackend#apply(UnaryOp, double, double, double)}) over
     * {@code x[px ..]} into {@code o[po ..]}, {@code bound} elements (a multiple of the vector length). Each op has
     * its own loop and no vector crosses a method boundary: a helper taking or returning vectors, when C2 does not
     * inline it, runs the Vector API's Java fallback (JFR: the top frames of a Transformer training step).
     */
    private static void vectorRun(UnaryOp op, float[] x, int px, float[] o, int po, int bound, float alpha, float beta) {
        switch (op) {
            case NEG -> { for (int i = 0; i < bound; i += LANES) FloatVector.fromArray(S, x, px + i).neg().intoArray(o, po + i); }
            case ABS -> { for (int i = 0; i < bound; i += LANES) FloatVector.fromArray(S, x, px + i).abs().intoArray(o, po + i); }
            case EXP -> VectorMath.exp(x, px, o, po, bound);
            case SQRT -> { for (int i = 0; i < bound; i += LANES) FloatVector.fromArray(S, x, px + i).sqrt().intoArray(o, po + i); }
            case RSQRT -> { for (int i = 0; i < bound; i += LANES) FloatVector.broadcast(S, 1f).div(FloatVector.fromArray(S, x, px + i).sqrt()).intoArray(o, po + i); }
            case RECIPROCAL -> { for (int i = 0; i < bound; i += LANES) FloatVector.broadcast(S, 1f).div(FloatVector.fromArray(S, x, px + i)).intoArray(o, po + i); }
            case SQUARE -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(S, x, px + i);
                    v.mul(v).intoArray(o, po + i);
                }
            }
            case SIGMOID -> VectorMath.sigmoid(x, px, o, po, bound);
            case RELU -> { for (int i = 0; i < bound; i += LANES) FloatVector.fromArray(S, x, px + i).max(0f).intoArray(o, po + i); }
            case LEAKY_RELU -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(S, x, px + i);
                    v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(o, po + i);
                }
            }
            case CLAMP -> { for (int i = 0; i < bound; i += LANES) FloatVector.fromArray(S, x, px + i).max(alpha).min(beta).intoArray(o, po + i); }
            case POW_SCALAR -> {                                                             // alpha is 2 or 1 (hasVectorForm)
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(S, x, px + i);
                    (alpha == 2 ? v.mul(v) : v).intoArray(o, po + i);
                }
            }
            case LOG, TANH, SIGN, ERF, GELU_ERF, GELU_TANH -> throw new AssertionError(op + " has no vector form");
        }
    }

    // ---- binary ---------------------------------------------------------------------------------

    static void binary(BinaryOp op, NDArray a, NDArray b, NDArray out, KernelPool pool) {
        float[] as = floats(a), bs = floats(b), os = floats(out);
        LoopNest nest = LoopNest.of(out.shape(), a, b, out);
        int sa = nest.innerStride(0), sb = nest.innerStride(1), so = nest.innerStride(2);
        boolean vector = op != BinaryOp.POW && (sa == 0 || sa == 1) && (sb == 0 || sb == 1) && so == 1;
        nest.forEachSegment(pool, MIN_PARALLEL, (pa, pb, po, n) -> {
            if (vector) {
                int i = vectorRun(op, as, pa, sa, bs, pb, sb, os, po, n);
                for (; i < n; i++) { // scalar tail, in float like the vector lanes
                    os[po + i] = map(op, as[pa + i * sa], bs[pb + i * sb]);
                }
            } else {
                for (int i = 0; i < n; i++) os[po + i * so] = (float) ReferenceBackend.apply(op, as[pa + i * sa], bs[pb + i * sb]);
            }
        });
    }

    /**
     * The whole vectors of a run whose inputs have inner stride 0 (one value broadcast) or 1; returns where the
     * scalar tail starts. Each op has its own loop, and a broadcast operand is read as {@code LANES} copies of
     * its value with step 0, so every loop body has one load per operand and one operation: C2 then keeps the
     * vectors in registers. Through a shared {@code switch} inside the loop it boxed every result on the heap
     * (19 MB per call of a 12.8 MB product, and 2.3x the time). No vector crosses a method boundary (see the unary
     * vectorRun), and the comparisons have their own method, so that no compilation grows past C2's inlining budget.
     */
    private static int vectorRun(BinaryOp op, float[] as, int pa, int sa, float[] bs, int pb, int sb, float[] os, int po, int n) {
        float[] x = sa == 0 ? splat(Workspace.Slot.SPLAT_A, as[pa]) : as, y = sb == 0 ? splat(Workspace.Slot.SPLAT_B, bs[pb]) : bs;
        int px = sa == 0 ? 0 : pa, py = sb == 0 ? 0 : pb, bound = S.loopBound(n), i = 0;
        switch (op) {
            case ADD -> { for (; i < bound; i += LANES) FloatVector.fromArray(S, x, px + i * sa).add(FloatVector.fromArray(S, y, py + i * sb)).intoArray(os, po + i); }
            case SUB -> { for (; i < bound; i += LANES) FloatVector.fromArray(S, x, px + i * sa).sub(FloatVector.fromArray(S, y, py + i * sb)).intoArray(os, po + i); }
            case MUL -> { for (; i < bound; i += LANES) FloatVector.fromArray(S, x, px + i * sa).mul(FloatVector.fromArray(S, y, py + i * sb)).intoArray(os, po + i); }
            case DIV -> { for (; i < bound; i += LANES) FloatVector.fromArray(S, x, px + i * sa).div(FloatVector.fromArray(S, y, py + i * sb)).intoArray(os, po + i); }
            case MAXIMUM -> { for (; i < bound; i += LANES) FloatVector.fromArray(S, x, px + i * sa).max(FloatVector.fromArray(S, y, py + i * sb)).intoArray(os, po + i); }
            case MINIMUM -> { for (; i < bound; i += LANES) FloatVector.fromArray(S, x, px + i * sa).min(FloatVector.fromArray(S, y, py + i * sb)).intoArray(os, po + i); }
            case RELU_BACKWARD, EQ, NE, LT, LE, GT, GE -> i = comparisonRun(op, x, px, sa, y, py, sb, os, po, bound);
            case POW -> throw new AssertionError("pow has no vector form");
        }
        return i;
    }

    /** The loops of {@link #vectorRun} for the ops that compare, in a method of their own to keep each compilation small. */
    private static int comparisonRun(BinaryOp op, float[] x, int px, int sa, float[] y, int py, int sb, float[] os, int po, int bound) {
        int i = 0;
        switch (op) {
            case RELU_BACKWARD -> { for (; i < bound; i += LANES) FloatVector.fromArray(S, x, px + i * sa).mul(FloatVector.zero(S).blend(1f, FloatVector.fromArray(S, y, py + i * sb).compare(VectorOperators.GT, 0f))).intoArray(os, po + i); }
            case EQ -> { for (; i < bound; i += LANES) FloatVector.zero(S).blend(1f, FloatVector.fromArray(S, x, px + i * sa).compare(VectorOperators.EQ, FloatVector.fromArray(S, y, py + i * sb))).intoArray(os, po + i); }
            case NE -> { for (; i < bound; i += LANES) FloatVector.zero(S).blend(1f, FloatVector.fromArray(S, x, px + i * sa).compare(VectorOperators.NE, FloatVector.fromArray(S, y, py + i * sb))).intoArray(os, po + i); }
            case LT -> { for (; i < bound; i += LANES) FloatVector.zero(S).blend(1f, FloatVector.fromArray(S, x, px + i * sa).compare(VectorOperators.LT, FloatVector.fromArray(S, y, py + i * sb))).intoArray(os, po + i); }
            case LE -> { for (; i < bound; i += LANES) FloatVector.zero(S).blend(1f, FloatVector.fromArray(S, x, px + i * sa).compare(VectorOperators.LE, FloatVector.fromArray(S, y, py + i * sb))).intoArray(os, po + i); }
            case GT -> { for (; i < bound; i += LANES) FloatVector.zero(S).blend(1f, FloatVector.fromArray(S, x, px + i * sa).compare(VectorOperators.GT, FloatVector.fromArray(S, y, py + i * sb))).intoArray(os, po + i); }
            case GE -> { for (; i < bound; i += LANES) FloatVector.zero(S).blend(1f, FloatVector.fromArray(S, x, px + i * sa).compare(VectorOperators.GE, FloatVector.fromArray(S, y, py + i * sb))).intoArray(os, po + i); }
            default -> throw new AssertionError(op + " is not a comparison");
        }
        return i;
    }

    /** {@code LANES} copies of {@code value} in this thread's buffer {@code slot}. */
    private static float[] splat(Workspace.Slot slot, float value) {
        float[] copies = Workspace.local().floats(slot, LANES);
        java.util.Arrays.fill(copies, 0, LANES, value);
        return copies;
    }

    /** The scalar form of the vector loops of {@link #vectorRun}, for tails. */
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

}
