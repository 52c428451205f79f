package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.UnaryOp;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The vector transcendental functions against the reference over the whole float range: the overflow
 * boundary of exp (88.7228), the subnormal results below e^-87.34 down to e^-103.97 where they round to 0,
 * ±0, subnormal arguments, ±inf and NaN. Contiguous runs take the SIMD path, so a wrong edge there would make
 * the result depend on memory layout.
 */
class VectorTranscendentalEdgesTest {

    /** Every 1024th float from -120 to 120 (about 2 million), the boundaries and the special values. */
    private static float[] sweep() {
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL, 1e-30f, -1e-30f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MAX_VALUE, -Float.MAX_VALUE,
                88.3762626647949f, 88.72283f, 88.722839f, Math.nextUp(88.722839f), 88.7229f, 89f, -87.33654f, -87.3366f, -100f,
                -103.27893f, -103.972f, -103.973f, -104f, -150f};
        int[] ranges = {Float.floatToIntBits(0f), Float.floatToIntBits(120f)};
        int count = (ranges[1] - ranges[0]) / 1024;
        float[] out = Arrays.copyOf(special, special.length + 2 * count);
        for (int i = 0; i < count; i++) {
            float v = Float.intBitsToFloat(ranges[0] + 1024 * i);
            out[special.length + 2 * i] = v;
            out[special.length + 2 * i + 1] = -v;
        }
        return out;
    }

    /** Distance in units in the last place, counting through subnormals; 0 for equal bits or two NaNs. */
    private static long ulps(float expected, float actual) {
        if (Float.isNaN(expected) || Float.isNaN(actual)) return Float.isNaN(expected) && Float.isNaN(actual) ? 0 : Long.MAX_VALUE;
        if (expected == actual) return 0;
        return Math.abs(ordered(expected) - ordered(actual));
    }

    private static long ordered(float v) {
        int bits = Float.floatToRawIntBits(v);
        return bits < 0 ? -(long) (bits & 0x7fffffff) : bits;
    }

    private static void assertWithinUlps(UnaryOp op, float[] x, long maxUlps) {
        NDArray in = NDArray.of(x, x.length);
        NDArray expected = NDArray.zeros(DType.FLOAT32, x.length), actual = NDArray.zeros(DType.FLOAT32, x.length);
        REFERENCE.unary(op, in, expected, 0, 0);
        VECTOR.unary(op, in, actual, 0, 0);
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        long worst = 0;
        int worstAt = 0;
        for (int i = 0; i < x.length; i++) {
            long d = ulps(e[i], a[i]);
            if (d > worst) {
                worst = d;
                worstAt = i;
            }
        }
        if (worst > maxUlps) {
            throw new AssertionError(op + "(" + x[worstAt] + "): reference " + e[worstAt] + ", vector " + a[worstAt] + " (" + worst + " ulps apart)");
        }
    }

    @Test
    void expMatchesTheReferenceWithinOneUlpEverywhere() {
        assertWithinUlps(UnaryOp.EXP, sweep(), 1);
    }

    @Test
    void expKeepsFiniteResultsBelowTheOverflowBoundaryAndSubnormalResults() {
        // The cases of the report: x in [88.376, 88.72] gave +inf, x below -87.3 gave 0.
        float[] x = {88.5f, 88.72283f, -90f, -100f, -103.9f};
        NDArray out = NDArray.zeros(DType.FLOAT32, x.length);
        VECTOR.unary(UnaryOp.EXP, NDArray.of(x, x.length), out, 0, 0);
        float[] v = out.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            assertEquals((float) Math.exp(x[i]), v[i], Math.ulp((float) Math.exp(x[i])), "exp(" + x[i] + ")");
        }
        assertEquals(Float.POSITIVE_INFINITY, exp(88.7229f), "exp just above the boundary");
        assertEquals(0f, exp(-103.98f), "exp below the smallest subnormal");
    }

    private static float exp(float x) {
        NDArray out = NDArray.zeros(DType.FLOAT32, 16);
        float[] in = new float[16];
        Arrays.fill(in, x);
        VECTOR.unary(UnaryOp.EXP, NDArray.of(in, 16), out, 0, 0);
        return out.toFloatArray()[0];
    }

    /** The other vector unary ops at the same edges; sigmoid reaches its subnormal results through exp. */
    @ParameterizedTest
    @EnumSource(value = UnaryOp.class, names = {"SIGMOID", "NEG", "ABS", "SQRT", "RECIPROCAL", "SQUARE", "RELU"})
    void vectorUnaryOpsMatchTheReferenceAtTheEdges(UnaryOp op) {
        assertWithinUlps(op, sweep(), op == UnaryOp.SIGMOID ? 2 : 0);
    }

    @Test
    void softmaxKeepsSubnormalProbabilities() {
        float[] row = new float[37];
        for (int i = 0; i < row.length; i++) row[i] = -3f * i; // down to -108: subnormal, then 0
        NDArray x = NDArray.of(row, 1, row.length);
        NDArray expected = NDArray.zeros(DType.FLOAT32, 1, row.length), actual = NDArray.zeros(DType.FLOAT32, 1, row.length);
        REFERENCE.softmax(x, 1, false, expected);
        VECTOR.softmax(x, 1, false, actual);
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < row.length; i++) {
            if (ulps(e[i], a[i]) > 2) throw new AssertionError("softmax element " + i + ": reference " + e[i] + ", vector " + a[i]);
        }
    }

    /**
     * VectorMath's array functions over several of their blocks (the exponentials wait in a thread buffer between two
     * passes over each block), at an offset, in place and not: the same bits both ways, and the reference's values.
     */
    @Test
    void sigmoidAndTanhInPlaceOverSeveralBlocks() {
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(), n = 3 * VectorMath.BLOCK + 5 * lanes, at = 3;
        float[] sweep = sweep(), x = new float[n + at];
        for (int i = 0; i < n; i++) x[at + i] = sweep[(i * 7919) % sweep.length] / 16; // spread over [-7.5, 7.5] and the specials
        for (String f : new String[] {"sigmoid", "tanh"}) {
            float[] out = new float[n + 1], inPlace = x.clone();
            if (f.equals("sigmoid")) {
                VectorMath.sigmoid(x, at, out, 1, n);
                VectorMath.sigmoid(inPlace, at, inPlace, at, n);
            } else {
                VectorMath.tanh(x, at, out, 1, n);
                VectorMath.tanh(inPlace, at, inPlace, at, n);
            }
            for (int i = 0; i < n; i++) {
                float v = x[at + i];
                assertEquals(Float.floatToRawIntBits(out[1 + i]), Float.floatToRawIntBits(inPlace[at + i]), f + "(" + v + ") in place");
                float expected = f.equals("sigmoid") ? (float) ReferenceBackend.apply(UnaryOp.SIGMOID, v, 0, 0) : (float) Math.tanh(v);
                long d = ulps(expected, out[1 + i]);
                if (d > 4) throw new AssertionError(f + "(" + v + "): expected " + expected + ", got " + out[1 + i] + " (" + d + " ulps)");
            }
        }
    }
}
