package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Assertions and small builders shared by the tensor tests in this package. */
final class NDArrayAssert {

    private NDArrayAssert() {
    }

    /** A float64 array holding {@code 0, 1, ..., n-1} in the given shape. */
    static NDArray iota(int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return NDArray.arange(DType.FLOAT64, 0, n, 1).reshape(shape);
    }

    static NDArray f64(double[] data, int... shape) {
        return NDArray.of(data, shape);
    }

    static void assertShape(NDArray a, int... expected) {
        assertArrayEquals(expected, a.shape(), () -> "shape " + Arrays.toString(a.shape()) + " of " + a);
    }

    /** Shape and every element (row-major) within {@code tol}; NaN matches only NaN. */
    static void assertValues(NDArray a, int[] shape, double[] expected, double tol) {
        assertShape(a, shape);
        double[] got = a.toDoubleArray();
        assertEquals(expected.length, got.length, "element count");
        for (int i = 0; i < got.length; i++) {
            int at = i;
            if (Double.isNaN(expected[i])) {
                assertTrue(Double.isNaN(got[i]), () -> "element " + at + ": expected NaN, got " + got[at] + " in " + a);
            } else if (Double.isInfinite(expected[i])) {
                assertEquals(expected[i], got[i], () -> "element " + at + " of " + a);
            } else {
                assertEquals(expected[i], got[i], tol, () -> "element " + at + " of " + Arrays.toString(got));
            }
        }
    }

    static void assertValues(NDArray a, int[] shape, double... expected) {
        assertValues(a, shape, expected, 0.0);
    }

    /** The IllegalArgumentException thrown by {@code call}, after checking its message contains every fragment. */
    static IllegalArgumentException assertRejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        String message = e.getMessage();
        if (message == null) fail("IllegalArgumentException without a message");
        for (String f : fragments) {
            assertTrue(message.contains(f), () -> "message \"" + message + "\" lacks \"" + f + "\"");
        }
        return e;
    }
}
