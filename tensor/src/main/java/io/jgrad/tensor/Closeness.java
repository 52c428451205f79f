package io.jgrad.tensor;

import java.util.Arrays;

/**
 * Element-by-element comparison of two arrays for tests and parity checks, as {@code torch.testing.assert_close}
 * with {@code equal_nan=True}: finite values within {@code atol + rtol·|expected|}, NaN only where NaN is
 * expected, infinities exactly. Unlike {@link NDArray#allClose} it says where and how the arrays differ.
 */
public final class Closeness {

    private Closeness() {
    }

    /**
     * Null when {@code actual} (on any device) matches {@code expected}; otherwise what differs first: the shapes,
     * or the first element out of tolerance with both values.
     */
    public static String firstMismatch(NDArray expected, NDArray actual, double rtol, double atol) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            return "shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape());
        }
        double[] e = expected.to(Device.CPU).toDoubleArray(), a = actual.to(Device.CPU).toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean ok = Double.isNaN(e[i]) ? Double.isNaN(a[i])
                    : Double.isInfinite(e[i]) ? e[i] == a[i]
                    : Math.abs(e[i] - a[i]) <= atol + rtol * Math.abs(e[i]);
            if (!ok) return "element " + i + " is " + a[i] + ", expected " + e[i] + " (of " + e.length + ")";
        }
        return null;
    }
}
