package io.jgrad.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lane sums and transcendental functions built only from IEEE-exact vector operations (+, ×, fused multiply-add, min, max,
 * conversions), so that they give the same bits whether the JIT has compiled them to SIMD instructions or
 * the Vector API runs its Java fallback. The Vector API's own {@code EXP} does not: compiled it calls a
 * vector math library, interpreted it rounds {@code Math.exp}, and the two differ in the last bit, which
 * would make a kernel's result depend on how warm the JVM is.
 *
 * <p>exp takes and returns vectors of the preferred species (sigmoid and tanh work on arrays, see there why), the
 * one all kernels use, and names it by constants: C2 intrinsifies a conversion or broadcast only when its species is a compile-time constant,
 * and these functions are not always inlined into their callers (a kernel with several of them exceeds the
 * inlining budget), so a species taken from the argument ({@code x.species()}) sent every call through the
 * Vector API's Java fallback.
 */
final class VectorMath {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());

    private static final float LOG2E = 1.44269504088896341f;
    // ln 2 split in two (Cody and Waite): n·LN2_HI is exact for the n that occur.
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** Adding and subtracting 1.5·2^23 rounds a float of magnitude below 2^22 to the nearest integer. */
    private static final float ROUND = 12582912f;
    /** The bits of {@link #ROUND}: the bits of {@code ROUND + n} minus these are the integer n, for |n| < 2^22. */
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    /**
     * Where to clamp x before the reduction: e^89 overflows float and e^-104 rounds to 0 (the smallest
     * subnormal is e^-103.28), so the clamped arguments give the same +inf and 0 as the exact function, while
     * n = round(x / ln2) stays in [-150, 128] and 2^n splits into two normal powers of two.
     */
    private static final float EXP_HI = 89f, EXP_LO = -104f;
    /**
     * 1 as a constant vector, for {@link #sigmoid}: after exp is inlined into it, C2 of JDK 17 hit its node limit
     * (NodeCountInliningCutoff) at a {@link #constant} call and left the broadcast out of line, boxed (seen with
     * -XX:+PrintInlining in a GRU training step); a static final vector costs no inlining.
     */
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f), TWO = FloatVector.broadcast(S, 2f);
    /** tanh's odd polynomial below 0.625 (Cephes), highest power first. */
    private static final FloatVector TANH_C0 = FloatVector.broadcast(S, -5.70498872745e-3f), TANH_C1 = FloatVector.broadcast(S, 2.06390887954e-2f),
            TANH_C2 = FloatVector.broadcast(S, -5.37397155531e-2f), TANH_C3 = FloatVector.broadcast(S, 1.33314422036e-1f),
            TANH_C4 = FloatVector.broadcast(S, -3.33332819422e-1f);

    private VectorMath() {
    }

    private static FloatVector constant(float value) {
        return FloatVector.broadcast(S, value);
    }

    /**
     * e^x within about 1 ulp over the whole float range (Cephes' {@code expf}): {@code x = n·ln2 + r} with
     * |r| ≤ ln2/2, a degree-6 polynomial for e^r, and 2^n applied as 2^⌊n/2⌋ · 2^(n-⌊n/2⌋). The split keeps
     * both factors normal, so results near the overflow boundary (88.72) stay finite and results below
     * e^-87.34 come out subnormal, each rounded once by the last multiplication, as {@code (float) Math.exp}
     * does. +inf above 88.7228, 0 below -103.97, NaN for NaN.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(EXP_LO).min(EXP_HI);
        FloatVector shifted = clamped.mul(LOG2E).add(ROUND); // n = round(x / ln2) in the low mantissa bits
        FloatVector n = shifted.sub(ROUND);
        FloatVector r = n.fma(constant(-LN2_HI), clamped); // x - n·ln2_hi, exact
        r = n.fma(constant(-LN2_LO), r);                     //   - n·ln2_lo
        FloatVector p = constant(1.9875691500e-4f)
                .fma(r, constant(1.3981999507e-3f))
                .fma(r, constant(8.3334519073e-3f))
                .fma(r, constant(4.1665795894e-2f))
                .fma(r, constant(1.6666665459e-1f))
                .fma(r, constant(5.0000001201e-1f));
        p = p.fma(r.mul(r), r).add(1f);
        // n as an int from the bits of ROUND + n, not by a float-to-int conversion: C2 of JDK 17 has no vector
        // form of that conversion, and the Vector API's Java fallback made exp many times slower.
        IntVector nInt = ((IntVector) shifted.reinterpretShape(I, 0)).sub(ROUND_BITS);
        IntVector half = nInt.lanewise(VectorOperators.ASHR, 1);   // ⌊n/2⌋ in [-75, 64]
        // 2^k for k in the normal exponent range [-126, 127], from its exponent bits. Written out here, not in a
        // helper taking an IntVector: when C2 did not inline that helper (exp is large), it ran the Vector API's
        // Java fallback for good (JFR of Transformer inference at batch 32, after warm-up: sameSpecies, convert0,
        // ByteBuffer.allocate under it, 56% of the samples; none with it written out).
        FloatVector scale1 = (FloatVector) half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretShape(S, 0);
        FloatVector scale2 = (FloatVector) nInt.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretShape(S, 0);
        return p.mul(scale1).mul(scale2); // p·2^⌊n/2⌋ is exact; the second product rounds (or overflows) once
    }

    /*
     * The logistic function and tanh work on arrays, not on vectors: each loads, computes and stores in one method.
     * As vector-to-vector functions they were not always inlined into their callers (once C2 had compiled one on its
     * own, with exp inside, it was larger than C2 inlines), and a vector returned from a call that is not inlined is
     * boxed: the caller's store then ran the Vector API's Java fallback (JFR, JDK 17: FloatVector.stOp under
     * VectorRecurrent.tanhOfSum in an LSTM step, by chance of compilation order). Only exp, small enough to be
     * inlined whatever C2 compiled first, is passed vectors.
     */

    /**
     * {@code out[po + k] = 1 / (1 + e^-x)} for {@code x = in[pi + k]}, {@code k < length}, a multiple of the lane
     * count; {@code in} and {@code out} may be the same array at the same position. As the reference computes it,
     * from e^-|x| so that nothing overflows: 1 / (1 + e) for x ≥ 0 and e / (1 + e) for x < 0, which keeps the
     * subnormal results of very negative x that 1 / (1 + e^-x) would flush to 0 (e^-x = +inf there).
     */
    static void sigmoid(float[] in, int pi, float[] out, int po, int length) {
        for (int k = 0; k < length; k += S.length()) {
            FloatVector x = FloatVector.fromArray(S, in, pi + k);
            FloatVector e = exp(x.abs().neg());
            FloatVector onePlus = e.add(1f);
            FloatVector positive = ONE.div(onePlus), negative = e.div(onePlus);
            positive.blend(negative, x.compare(VectorOperators.LT, 0f)).intoArray(out, po + k);
        }
    }

    /**
     * {@code out[po + k] = tanh(in[pi + k])}, {@code k < length}, a multiple of the lane count; in place allowed.
     * Within a few ulp (Cephes' {@code tanhf}): an odd polynomial below |x| = 0.625, where
     * {@code 1 - 2/(e^2|x| + 1)} would lose the leading bits to cancellation, and that formula, with the
     * sign of x, above. ±1 once e^2|x| overflows, ±0 for ±0, NaN for NaN.
     */
    static void tanh(float[] in, int pi, float[] out, int po, int length) {
        for (int k = 0; k < length; k += S.length()) {
            FloatVector x = FloatVector.fromArray(S, in, pi + k);
            FloatVector ax = x.abs(), z = x.mul(x);
            FloatVector small = TANH_C0.fma(z, TANH_C1).fma(z, TANH_C2).fma(z, TANH_C3).fma(z, TANH_C4).mul(z).fma(x, x);
            FloatVector large = ONE.sub(TWO.div(exp(ax.add(ax)).add(1f)));
            large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0f));
            large.blend(small, ax.compare(VectorOperators.LT, 0.625f)).intoArray(out, po + k);
        }
    }

    /**
     * The lanes of {@code v} added left to right. {@code reduceLanes(ADD)} may add them in any order (a tree
     * when compiled, a loop when interpreted), which changes the rounding from one run to the next.
     */
    static float sum(FloatVector v) {
        float s = v.lane(0);
        for (int i = 1; i < v.length(); i++) s += v.lane(i);
        return s;
    }
}
