package io.jgrad.bench;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sampled check of {@code bench gemm --backend NAME}: a float32 product passes far below the bound, one
 * with a misplaced block or a NaN fails it, so that a GPU kernel that computes the wrong product cannot report a
 * speed alone.
 */
class DeviceGemmReportTest {

    private static final int N = 96;

    @Test
    void aFloat32ProductIsWithinRoundingAndAWrongOneIsNot() {
        Generator gen = new Generator(3);
        NDArray a = NDArray.randn(gen, DType.FLOAT32, N, N), b = NDArray.randn(gen, DType.FLOAT32, N, N);
        float[] c = a.matmul(b).toFloatArray();
        double ok = DeviceGemmReport.sampledError(a.toFloatArray(), b.toFloatArray(), c, N, new Generator(4));
        assertTrue(ok < 1e-5, "float32 product's sampled error " + ok);

        // A 32 x 32 block (a ninth of C, so that 1,024 samples meet it) written with its neighbour's values.
        float[] shifted = c.clone();
        for (int i = 32; i < 64; i++) System.arraycopy(c, i * N, shifted, i * N + 32, 32);
        double wrong = DeviceGemmReport.sampledError(a.toFloatArray(), b.toFloatArray(), shifted, N, new Generator(4));
        assertTrue(wrong > DeviceGemmReport.TF32_BOUND, "misplaced block's sampled error " + wrong);

        float[] withNaN = new float[c.length];
        java.util.Arrays.fill(withNaN, Float.NaN);
        double nan = DeviceGemmReport.sampledError(a.toFloatArray(), b.toFloatArray(), withNaN, N, new Generator(4));
        assertTrue(!(nan <= DeviceGemmReport.FP32_BOUND), "NaN product's sampled error " + nan);
    }
}
