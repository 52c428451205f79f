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
 * <p>Every function here takes arrays, never vectors: each loads, computes and stores in one method, and no vector
 * crosses a method boundary. C2 does not always inline a helper (its node budget for the caller runs out,
 * NodeCountInliningCutoff, or the helper was compiled on its own first and is too large to inline), and a vector
 * passed to or returned from a call that is not inlined is boxed with its type unknown: every operation on it,
 * and every store of a vector computed from it, then runs the Vector API's Java fallback, for good. With exp as a
 * vector function this happened by chance of compilation order in softmax, sigmoid, tanh and the unary EXP loop
 * ({@code FloatVector.stOp}, {@code VectorSupport.convert} under exp; VectorFallbackProfileTest, JDK 17). The species
 * are constants for the same reason: C2 intrinsifies a conversion or broadcast only when its species is one.
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
    /** 1 and 2 as constant vectors: a static final vector costs no inlining (a helper that broadcast them did). */
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f), TWO = FloatVector.broadcast(S, 2f);
    /** -ln 2 in two parts and exp's polynomial for e^r (Cephes), highest power first. */
    private static final FloatVector NEG_LN2_HI = FloatVector.broadcast(S, -LN2_HI), NEG_LN2_LO = FloatVector.broadcast(S, -LN2_LO);
    private static final FloatVector EXP_C0 = FloatVector.broadcast(S, 1.9875691500e-4f), EXP_C1 = FloatVector.broadcast(S, 1.3981999507e-3f),
            EXP_C2 = FloatVector.broadcast(S, 8.3334519073e-3f), EXP_C3 = FloatVector.broadcast(S, 4.1665795894e-2f),
            EXP_C4 = FloatVector.broadcast(S, 1.6666665459e-1f), EXP_C5 = FloatVector.broadcast(S, 5.0000001201e-1f);
    /** tanh's odd polynomial below 0.625 (Cephes), highest power first. */
    private static final FloatVector TANH_C0 = FloatVector.broadcast(S, -5.70498872745e-3f), TANH_C1 = FloatVector.broadcast(S, 2.06390887954e-2f),
            TANH_C2 = FloatVector.broadcast(S, -5.37397155531e-2f), TANH_C3 = FloatVector.broadcast(S, 1.33314422036e-1f),
            TANH_C4 = FloatVector.broadcast(S, -3.33332819422e-1f);

    /**
     * Elements per block of sigmoid and tanh, whose exponentials wait in this thread's buffer between two passes
     * over the block (a multiple of every lane count, and small enough to stay in L1).
     */
    static final int BLOCK = 512;

    private VectorMath() {
    }

    /**
     * {@code out[po + k] = e^x} for {@code x = in[pi + k]}, {@code k < length}, a multiple of the lane count; in place
     * allowed. Within about 1 ulp over the whole float range (Cephes' {@code expf}): {@code x = n·ln2 + r} with
     * |r| ≤ ln2/2, a degree-6 polynomial for e^r, and 2^n applied as 2^⌊n/2⌋ · 2^(n-⌊n/2⌋). The split keeps
     * both factors normal, so results near the overflow boundary (88.72) stay finite and results below
     * e^-87.34 come out subnormal, each rounded once by the last multiplication, as {@code (float) Math.exp}
     * does. +inf above 88.7228, 0 below -103.97, NaN for NaN.
     */
    static void exp(float[] in, int pi, float[] out, int po, int length) {
        for (int k = 0; k < length; k += S.length()) {
            FloatVector clamped = FloatVector.fromArray(S, in, pi + k).max(EXP_LO).min(EXP_HI);
            FloatVector shifted = clamped.mul(LOG2E).add(ROUND); // n = round(x / ln2) in the low mantissa bits
            FloatVector n = shifted.sub(ROUND);
            FloatVector r = n.fma(NEG_LN2_HI, clamped); // x - n·ln2_hi, exact
            r = n.fma(NEG_LN2_LO, r);                     //   - n·ln2_lo
            FloatVector p = EXP_C0.fma(r, EXP_C1).fma(r, EXP_C2).fma(r, EXP_C3).fma(r, EXP_C4).fma(r, EXP_C5);
            p = p.fma(r.mul(r), r).add(1f);
            // n as an int from the bits of ROUND + n, not by a float-to-int conversion: C2 of JDK 17 has no vector
            // form of that conversion, and the Vector API's Java fallback made exp many times slower.
            IntVector nInt = ((IntVector) shifted.reinterpretShape(I, 0)).sub(ROUND_BITS);
            IntVector half = nInt.lanewise(VectorOperators.ASHR, 1);   // ⌊n/2⌋ in [-75, 64]
            // 2^k for k in the normal exponent range [-126, 127], from its exponent bits, written out here (see the
            // class comment: a helper taking an IntVector ran the fallback once C2 left it out of line).
            FloatVector scale1 = (FloatVector) half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretShape(S, 0);
            FloatVector scale2 = (FloatVector) nInt.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretShape(S, 0);
            p.mul(scale1).mul(scale2).intoArray(out, po + k); // p·2^⌊n/2⌋ is exact; the second product rounds (or overflows) once
        }
    }

    /**
     * {@code out[po + k] = 1 / (1 + e^-x)} for {@code x = in[pi + k]}, {@code k < length}, a multiple of the lane
     * count; {@code in} and {@code out} may be the same array at the same position. As the reference computes it,
     * from e^-|x| so that nothing overflows: 1 / (1 + e) for x ≥ 0 and e / (1 + e) for x < 0, which keeps the
     * subnormal results of very negative x that 1 / (1 + e^-x) would flush to 0 (e^-x = +inf there).
     */
    static void sigmoid(float[] in, int pi, float[] out, int po, int length) {
        float[] e = Workspace.local().floats(Workspace.Slot.MATH, BLOCK);
        for (int b = 0; b < length; b += BLOCK) {
            int n = Math.min(BLOCK, length - b);
            for (int k = 0; k < n; k += S.length()) FloatVector.fromArray(S, in, pi + b + k).abs().neg().intoArray(e, k);
            exp(e, 0, e, 0, n);
            for (int k = 0; k < n; k += S.length()) {
                FloatVector x = FloatVector.fromArray(S, in, pi + b + k), ek = FloatVector.fromArray(S, e, k);
                FloatVector onePlus = ek.add(1f);
                FloatVector positive = ONE.div(onePlus), negative = ek.div(onePlus);
                positive.blend(negative, x.compare(VectorOperators.LT, 0f)).intoArray(out, po + b + k);
            }
        }
    }

    /**
     * {@code out[po + k] = tanh(in[pi + k])}, {@code k < length}, a multiple of the lane count; in place allowed.
     * Within a few ulp (Cephes' {@code tanhf}): an odd polynomial below |x| = 0.625, where
     * {@code 1 - 2/(e^2|x| + 1)} would lose the leading bits to cancellation, and that formula, with the
     * sign of x, above. ±1 once e^2|x| overflows, ±0 for ±0, NaN for NaN.
     */
    static void tanh(float[] in, int pi, float[] out, int po, int length) {
        float[] e = Workspace.local().floats(Workspace.Slot.MATH, BLOCK);
        for (int b = 0; b < length; b += BLOCK) {
            int n = Math.min(BLOCK, length - b);
            for (int k = 0; k < n; k += S.length()) {
                FloatVector ax = FloatVector.fromArray(S, in, pi + b + k).abs();
                ax.add(ax).intoArray(e, k);
            }
            exp(e, 0, e, 0, n);
            for (int k = 0; k < n; k += S.length()) {
                FloatVector x = FloatVector.fromArray(S, in, pi + b + k);
                FloatVector ax = x.abs(), z = x.mul(x);
                FloatVector small = TANH_C0.fma(z, TANH_C1).fma(z, TANH_C2).fma(z, TANH_C3).fma(z, TANH_C4).mul(z).fma(x, x);
                FloatVector large = ONE.sub(TWO.div(FloatVector.fromArray(S, e, k).add(1f)));
                large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0f));
                large.blend(small, ax.compare(VectorOperators.LT, 0.625f)).intoArray(out, po + b + k);
            }
        }
    }

    /** This thread's buffer for the lanes of one vector, for {@link #sumLanes}. */
    static float[] laneBuffer() {
        return Workspace.local().floats(Workspace.Slot.LANES, S.length());
    }

    /**
     * The lanes of a vector (stored in {@code lanes} by the caller: no vector crosses a method boundary, see the class
     * comment) added left to right. Not {@code reduceLanes(ADD)}: it may add them in any order (a tree when compiled,
     * a loop when interpreted), which changes the rounding from one run to the next.
     */
    static float sumLanes(float[] lanes) {
        return sumLanes(lanes, 0);
    }

    /** {@link #sumLanes(float[])} of the vector's lanes stored at {@code lanes[from ..]}. */
    static float sumLanes(float[] lanes, int from) {
        float s = lanes[from];
        for (int i = 1; i < S.length(); i++) s += lanes[from + i];
        return s;
    }
}
