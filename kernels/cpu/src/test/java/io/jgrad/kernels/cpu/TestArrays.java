package io.jgrad.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/** Arrays and checks shared by the kernel tests. */
final class TestArrays {
    private TestArrays() {
    }

    /** float64 array holding {@code values} in row-major order. */
    static NDArray f64(double[] values, int... shape) {
        return NDArray.of(values, shape);
    }

    /** float64 {@code 1, 2, ..., numel} in row-major order. */
    static NDArray counting(int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i + 1;
        return NDArray.of(v, shape);
    }

    static NDArray randn(Generator gen, int... shape) {
        return NDArray.randn(gen, DType.FLOAT64, shape);
    }

    /** int64 array of uniform values in {@code [0, bound)}. */
    static NDArray randomIndex(Generator gen, int bound, int... shape) {
        return NDArray.randint(gen, 0, bound, shape);
    }

    static NDArray longs(long[] values, int... shape) {
        return NDArray.of(values, shape);
    }

    /** Sum of the elementwise product: the inner product that adjoint identities are stated in. */
    static double dot(NDArray a, NDArray b) {
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        assertEquals(x.length, y.length, "dot: sizes differ");
        double s = 0;
        for (int i = 0; i < x.length; i++) s += x[i] * y[i];
        return s;
    }

    /** The same values as {@code a}, seen through reversed strides (stored in the opposite dim order). */
    static NDArray transposedView(NDArray a) {
        int r = a.rank();
        int[] reverse = new int[r];
        for (int i = 0; i < r; i++) reverse[i] = r - 1 - i;
        NDArray v = a.permute(reverse).copy().permute(reverse);
        assertNonContiguous(v);
        return v;
    }

    /** The same values as {@code a}, stored with a gap after every element of the last dim and a non-zero offset. */
    static NDArray spacedView(NDArray a) {
        int[] shape = a.shape();
        int last = shape.length - 1;
        int[] wide = shape.clone();
        wide[last] = 2 * shape[last] + 1;
        NDArray v = NDArray.zeros(a.dtype(), wide).slice(last, 1, wide[last], 2).assign(a);
        assertNonContiguous(v);
        return v;
    }

    private static void assertNonContiguous(NDArray v) {
        if (v.numel() > 1 && v.isContiguous()) throw new AssertionError("test setup: view " + v + " is contiguous");
    }

    static void assertValues(double[] expected, NDArray actual, double tol) {
        assertArrayEquals(expected, actual.toDoubleArray(), tol);
    }

    static void assertSameValues(NDArray expected, NDArray actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), tol);
    }

    /** {@code |a - b| <= tol * max(1, |a|, |b|)}. */
    static void assertClose(double a, double b, double tol, String what) {
        double scale = Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
        if (!(Math.abs(a - b) <= tol * scale)) throw new AssertionError(what + ": " + a + " vs " + b);
    }
}
