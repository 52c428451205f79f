package io.jgrad.tensor.spi;

/**
 * Whether float32 matrix products (matmul, and convolution through GEMM) may run on TF32 tensor cores: inputs
 * rounded to a 10-bit mantissa, products summed in float32, several times the FP32 rate. Off by default, as
 * PyTorch's {@code torch.backends.cuda.matmul.allow_tf32}; {@code -Djgrad.allowTf32=true} or
 * {@link #allowTf32(boolean)} turns it on. Backends without such units ignore it.
 */
public final class MatmulPrecision {

    /** The system property read at start-up. */
    public static final String PROPERTY = "jgrad.allowTf32";

    private static volatile boolean allowTf32 = Boolean.getBoolean(PROPERTY);

    private MatmulPrecision() {
    }

    public static boolean allowTf32() {
        return allowTf32;
    }

    public static void allowTf32(boolean allow) {
        allowTf32 = allow;
    }
}
