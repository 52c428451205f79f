package io.jgrad.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/** Arrays and comparisons shared by the vector-vs-reference equivalence tests. */
final class VectorChecks {

    /** The sizes every elementwise and reduction kernel is tried at: around vector widths and block sizes. */
    static final int[] SIZES = {1, 2, 3, 7, 13, 31, 33, 255, 257, 1021, 4099};

    static final ReferenceBackend REFERENCE = new ReferenceBackend();
    static final VectorBackend VECTOR = new VectorBackend();

    private VectorChecks() {
    }

    static NDArray randn(Generator gen, int... shape) {
        return NDArray.randn(gen, DType.FLOAT32, shape);
    }

    static NDArray zeros(int... shape) {
        return NDArray.zeros(DType.FLOAT32, shape);
    }

    /**
     * {@code |expected - actual| <= rtol * scale} elementwise, where {@code scale} holds the magnitude the
     * rounding error of each element is proportional to (for a sum: the sum of absolute values); NaNs and
     * infinities must match exactly.
     */
    static void assertClose(NDArray expected, NDArray actual, NDArray scale, double rtol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray(), s = scale.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i]) || Double.isInfinite(e[i])) {
                if (Double.compare(e[i], a[i]) != 0) throw new AssertionError(what + ": element " + i + ": expected " + e[i] + ", got " + a[i]);
                continue;
            }
            double tol = rtol * Math.max(Math.abs(s[i]), Double.MIN_NORMAL);
            if (!(Math.abs(e[i] - a[i]) <= tol)) {
                throw new AssertionError(what + ": element " + i + " of " + e.length + ": expected " + e[i] + ", got " + a[i]
                        + " (|diff| " + Math.abs(e[i] - a[i]) + " > tol " + tol + ")");
            }
        }
    }

    /** Elementwise: {@code |expected - actual| <= rtol * max(|expected|, atol/rtol)}. */
    static void assertClose(NDArray expected, NDArray actual, double rtol, double atol, String what) {
        assertClose(expected, actual, expected.abs().maximum(atol / rtol), rtol, what);
    }

    /** The same bits, element for element. */
    static void assertBitwise(NDArray expected, NDArray actual, String what) {
        assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), 0f, what);
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) throw new AssertionError(what + ": element " + i + " differs in its bits");
        }
    }

    /**
     * The same values through a view with a gap after every element of the last dim and a non-zero offset
     * (like {@link TestArrays#spacedView}, but a size-1 array may come out contiguous).
     */
    static NDArray spaced(NDArray a) {
        int[] wide = a.shape();
        int last = wide.length - 1;
        wide[last] = 2 * wide[last] + 1;
        return NDArray.zeros(a.dtype(), wide).slice(last, 1, wide[last], 2).assign(a);
    }

    /** The same values stored in the opposite dim order (like {@link TestArrays#transposedView}, any size). */
    static NDArray transposed(NDArray a) {
        int r = a.rank();
        int[] reverse = new int[r];
        for (int i = 0; i < r; i++) reverse[i] = r - 1 - i;
        return a.permute(reverse).copy().permute(reverse);
    }
}
