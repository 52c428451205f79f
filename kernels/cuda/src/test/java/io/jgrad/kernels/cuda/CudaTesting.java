package io.jgrad.kernels.cuda;

import io.jgrad.kernels.cpu.ReferenceBackend;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Assumptions;

import java.util.Arrays;

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
        Generator gen = new Generator(seed);
        long[] v = new long[Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
        for (int i = 0; i < v.length; i++) v[i] = gen.nextInt(bound);
        return NDArray.of(v, shape);
    }

    /** Every element of {@code actual} (any device) within {@code atol + rtol·|expected|}; NaN and infinities must match. */
    static void assertMatches(String what, NDArray expected, NDArray actual, double rtol, double atol) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionError(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        }
        double[] e = expected.to(Device.CPU).toDoubleArray(), a = actual.to(Device.CPU).toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean ok = Double.isNaN(e[i]) ? Double.isNaN(a[i])
                    : Double.isInfinite(e[i]) ? e[i] == a[i]
                    : Math.abs(e[i] - a[i]) <= atol + rtol * Math.abs(e[i]);
            if (!ok) throw new AssertionError(what + ": element " + i + " is " + a[i] + ", expected " + e[i] + " (of " + e.length + ")");
        }
    }

    static double tol(DType dtype) {
        return dtype == DType.FLOAT32 ? 1e-5 : dtype == DType.FLOAT64 ? 1e-12 : 0;
    }
}
