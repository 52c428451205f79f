package io.jgrad.kernels.opencl;

import io.jgrad.kernels.cpu.ReferenceBackend;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Assumptions;

import java.util.Arrays;

/**
 * "The OpenCL backend, or skip", and the comparison against the reference backend that every kernel test
 * makes. Tests call {@link #backend()} (or {@link #runtime()}) first: on a machine without an OpenCL library
 * or device every such test is reported skipped with the cause, never passed.
 */
final class OpenClTesting {

    /** The awkward sizes every kernel is checked at. */
    static final int[] SIZES = {1, 2, 3, 7, 13, 31, 33, 255, 257, 1021, 4099};

    static final ReferenceBackend REFERENCE = new ReferenceBackend();

    private OpenClTesting() {
    }

    /** The registered OpenCL backend (one runtime per JVM); skips the test, printing why, when it is unavailable. */
    static OpenClBackend backend() {
        Backends.Entry entry = Backends.startAll().stream().filter(e -> e.name().equals(OpenClBackend.NAME)).findFirst().orElse(null);
        String reason = entry == null ? "OpenCL backend not registered" : "OpenCL unavailable: " + entry.unavailableCause();
        if (entry == null || !entry.available()) System.out.println("[skip] " + reason);
        Assumptions.assumeTrue(entry != null && entry.available(), reason);
        return (OpenClBackend) entry.backend();
    }

    static ClRuntime runtime() {
        return backend().runtime();
    }

    static Device device() {
        return backend().device();
    }

    /** How a test array is laid out: the same values seen through different strides. */
    enum View {
        CONTIGUOUS, TRANSPOSED, SPACED, EXPANDED;

        /** {@code a} (contiguous, on any device) seen through this layout; EXPANDED repeats row 0 (values change). */
        NDArray of(NDArray a) {
            int r = a.rank();
            return switch (this) {
                case CONTIGUOUS -> a;
                case TRANSPOSED -> {
                    int[] reverse = new int[r];
                    for (int i = 0; i < r; i++) reverse[i] = r - 1 - i;
                    yield a.permute(reverse).copy().permute(reverse);
                }
                case SPACED -> {
                    int[] wide = a.shape();
                    wide[r - 1] = 2 * wide[r - 1] + 1;
                    yield a.newZeros(wide).slice(r - 1, 1, wide[r - 1], 2).assign(a);
                }
                case EXPANDED -> a.narrow(0, 0, 1).expand(a.shape());
            };
        }
    }

    static NDArray randn(long seed, DType dtype, int... shape) {
        return NDArray.randn(new Generator(seed), dtype, shape);
    }

    /** int64 values uniform in {@code [0, bound)}. */
    static NDArray randomIndex(long seed, int bound, int... shape) {
        Generator gen = new Generator(seed);
        long[] v = new long[Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        for (int i = 0; i < v.length; i++) v[i] = gen.nextInt(bound);
        return NDArray.of(v, shape);
    }

    /**
     * Every element of {@code actual} (any device) within {@code atol + rtol·|expected|} of {@code expected};
     * NaNs must match NaNs and infinities must match exactly.
     */
    static void assertMatches(String what, NDArray expected, NDArray actual, double rtol, double atol) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionError(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        }
        double[] e = expected.toDoubleArray(), a = actual.to(Device.CPU).toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean ok = Double.isNaN(e[i]) ? Double.isNaN(a[i])
                    : Double.isInfinite(e[i]) ? e[i] == a[i]
                    : Math.abs(e[i] - a[i]) <= atol + rtol * Math.abs(e[i]);
            if (!ok) throw new AssertionError(what + ": element " + i + " is " + a[i] + ", expected " + e[i] + " (of " + e.length + ")");
        }
    }

    /** Relative tolerance of one rounding in {@code dtype} (a few ulps). */
    static double ulps(DType dtype) {
        return dtype == DType.FLOAT32 ? 1e-5 : dtype == DType.FLOAT64 ? 1e-12 : 0;
    }
}
