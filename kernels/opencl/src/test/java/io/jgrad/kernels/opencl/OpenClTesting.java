package io.jgrad.kernels.opencl;

import io.jgrad.kernels.cpu.ReferenceBackend;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.Closeness;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.SgdStep;
import org.junit.jupiter.api.Assumptions;


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

    static NDArray randomIndex(long seed, int bound, int... shape) {
        return NDArray.randint(new Generator(seed), 0, bound, shape);
    }

    /** {@code actual} (any device) as {@code expected}, within {@code atol + rtol·|expected|} ({@link Closeness}). */
    static void assertMatches(String what, NDArray expected, NDArray actual, double rtol, double atol) {
        String mismatch = Closeness.firstMismatch(expected, actual, rtol, atol);
        if (mismatch != null) throw new AssertionError(what + ": " + mismatch);
    }

    /** Relative tolerance of one rounding in {@code dtype} (a few ulps). */
    static double ulps(DType dtype) {
        return dtype == DType.FLOAT32 ? 1e-5 : dtype == DType.FLOAT64 ? 1e-12 : 0;
    }

    /** How many optimiser variants the multi-tensor tests run ({@link #adamVariant}, {@link #sgdVariant}). */
    static final int OPTIMIZER_VARIANTS = 4;

    /** Adam at step {@code t} (from 1), lr 1e-2: variant 0 plain, 1 AdamW, 2 amsgrad with L2, 3 maximize with L2. */
    static AdamStep adamVariant(int variant, int t) {
        return new AdamStep(1e-2, 0.9, 0.999, 1e-8, variant == 0 ? 0 : 0.01, variant == 1, variant == 2, variant == 3,
                1 - Math.pow(0.9, t), 1 - Math.pow(0.999, t));
    }

    /** SGD at step {@code t} (from 1), lr 0.1: variant 0 no momentum, 1 momentum with L2, 2 Nesterov, 3 maximize with dampening. */
    static SgdStep sgdVariant(int variant, int t) {
        double momentum = variant == 0 ? 0 : 0.9;
        return new SgdStep(0.1, momentum, variant == 3 ? 0.1 : 0, variant == 1 ? 1e-3 : 0, variant == 2, variant == 3, t == 1);
    }
}
