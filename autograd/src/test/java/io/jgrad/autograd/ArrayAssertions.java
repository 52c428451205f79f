package io.jgrad.autograd;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Element-wise comparisons of arrays with expected values, with the shapes in the message. */
final class ArrayAssertions {

    private ArrayAssertions() {
    }

    /** {@code actual} has {@code shape} and its row-major elements equal {@code expected} within {@code tol}. */
    static void assertValues(double[] expected, int[] shape, NDArray actual, double tol) {
        assertNotNull(actual, "array is null (no gradient reached this tensor?)");
        assertArrayEquals(shape, actual.shape(), () -> "shape " + Shapes.str(actual.shape()) + ", expected " + Shapes.str(shape));
        assertArrayEquals(expected, actual.toDoubleArray(), tol, () -> "values of the array of shape " + Shapes.str(shape));
    }

    /** {@code actual} has the shape and (within {@code tol}) the elements of {@code expected}. */
    static void assertValues(NDArray expected, NDArray actual, double tol) {
        assertValues(expected.toDoubleArray(), expected.shape(), actual, tol);
    }
}
