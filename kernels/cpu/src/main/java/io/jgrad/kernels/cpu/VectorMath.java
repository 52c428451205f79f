package io.jgrad.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Lane sums and transcendental functions built only from IEEE-exact vector operations (+, ×, fused multiply-add, min, max,
 * conversions), so that they give the same bits whether the JIT has compiled them to SIMD instructions or
 * the Vector API runs its Java fallback. The Vector API's own {@code EXP} does not: compiled it calls a
 * vector math library, interpreted it rounds {@code Math.exp}, and the two differ in the last bit, which
 * would make a kernel's result depend on how warm the JVM is.
 */
final class VectorMath {

    private static final float LOG2E = 1.44269504088896341f;
    // ln 2 split in two (Cody and Waite): n·LN2_HI is exact for the n that occur.
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** Adding and subtracting 1.5·2^23 rounds a float of magnitude below 2^22 to the nearest integer. */
    private static final float ROUND = 12582912f;
    /** exp(x) overflows above this; below {@link #EXP_MIN} the result would be subnormal and is returned as 0. */
    private static final float EXP_MAX = 88.72283f, EXP_MIN = -87.33654f;

    private VectorMath() {
    }

    private static FloatVector constant(FloatVector like, float value) {
        return FloatVector.broadcast(like.species(), value);
    }

    /**
     * e^x within about 1 ulp (Cephes' {@code expf}): {@code x = n·ln2 + r} with |r| ≤ ln2/2, a degree-6
     * polynomial for e^r, and 2^n put into the exponent bits. +inf above 88.72, 0 below -87.34, NaN for NaN.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector n = clamped.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = n.fma(constant(x, -LN2_HI), clamped); // x - n·ln2_hi, exact
        r = n.fma(constant(x, -LN2_LO), r);                     //   - n·ln2_lo
        FloatVector p = constant(x, 1.9875691500e-4f)
                .fma(r, constant(x, 1.3981999507e-3f))
                .fma(r, constant(x, 8.3334519073e-3f))
                .fma(r, constant(x, 4.1665795894e-2f))
                .fma(r, constant(x, 1.6666665459e-1f))
                .fma(r, constant(x, 5.0000001201e-1f));
        p = p.fma(r.mul(r), r).add(1f);
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector result = p.mul(bits.reinterpretAsFloats());
        result = result.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX));
        return result.blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
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
