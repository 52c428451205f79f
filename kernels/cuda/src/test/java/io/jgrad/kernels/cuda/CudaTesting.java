package io.jgrad.kernels.cuda;

import io.jgrad.kernels.cpu.ReferenceBackend;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.Closeness;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Assumptions;


/**
 * "The CUDA backend, or skip", and the comparison against the reference backend that every GPU test makes.
 * Tests call {@link #backend()} first: without a driver or GPU each such test is reported skipped with the
 * provider's cause, never passed.
 */
final class CudaTesting {

    /** The awkward sizes every kernel is checked at. */
    static final int[] SIZES = {1, 2, 3, 7, 13, 31, 33, 255, 257, 1021, 4099};

    static final ReferenceBackend REFERENCE = new ReferenceBackend();

    private CudaTesting() {
    }

    static CudaBackend backend() {
        try {
            return (CudaBackend) Backends.get(CudaBackend.NAME);
        } catch (RuntimeException e) {
            System.out.println("[skip] CUDA unavailable: " + e.getMessage());
            Assumptions.abort("CUDA unavailable: " + e.getMessage());
            throw e;
        }
    }

    static NDArray randn(long seed, DType dtype, int... shape) {
        return NDArray.randn(new Generator(seed), DType.FLOAT64, shape).to(dtype);
    }

    static NDArray randomIndex(long seed, int bound, int... shape) {
        return NDArray.randint(new Generator(seed), 0, bound, shape);
    }

    /** {@code actual} (any device) as {@code expected}, within {@code atol + rtol·|expected|} ({@link Closeness}). */
    static void assertMatches(String what, NDArray expected, NDArray actual, double rtol, double atol) {
        String mismatch = Closeness.firstMismatch(expected, actual, rtol, atol);
        if (mismatch != null) throw new AssertionError(what + ": " + mismatch);
    }

    static double tol(DType dtype) {
        return dtype == DType.FLOAT32 ? 1e-5 : dtype == DType.FLOAT64 ? 1e-12 : 0;
    }
}
