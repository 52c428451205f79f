package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.CommandRecording;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a recording (a CUDA graph) keeps and refuses: an array a recorded command uses keeps its block for the
 * recording's replays even when its storage is closed meanwhile (else a new array would get the block and every
 * replay would read or overwrite it), and an optimizer update, whose scalars change every step, is refused.
 */
@Tag("gpu")
class CudaRecordingTest {

    private static final int N = 256;

    @Test
    void aClosedStorageThatARecordingUsesKeepsItsBlockUntilTheRecordingCloses() {
        CudaBackend cuda = CudaTesting.backend();
        NDArray x = NDArray.ones(DType.FLOAT32, N).to(cuda.device());
        x.add(1).to(Device.CPU);   // the kernel's module loaded and a block of this size cached before recording
        NDArray y;
        try (CommandRecording recording = cuda.beginRecording()) {
            y = x.add(1);
            recording.end();
            long held = CudaStorage.of(x).address(0);
            CudaStorage.of(x).close();   // the caller is done with x; the recording is not
            NDArray z = NDArray.full(DType.FLOAT32, 7, N).to(cuda.device());
            assertNotEquals(held, CudaStorage.of(z).address(0), "a new array got the block a recording still uses");
            recording.replay();
            float[] twos = new float[N], sevens = new float[N];
            java.util.Arrays.fill(twos, 2);
            java.util.Arrays.fill(sevens, 7);
            assertArrayEquals(twos, y.toFloatArray(), "the replay's result");
            assertArrayEquals(sevens, z.toFloatArray(), "an array made after the recording");
        }
    }

    @Test
    void anOptimizerUpdateIsRefusedWhileRecording() {
        CudaBackend cuda = CudaTesting.backend();
        NDArray p = NDArray.ones(DType.FLOAT32, N).to(cuda.device()), g = p.copy(), m = p.zerosLike(), v = p.zerosLike();
        AdamStep step = new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, false, false, false, 0.1, 0.001);
        try (CommandRecording recording = cuda.beginRecording()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> cuda.adamStepAll(step, List.of(p), List.of(g), List.of(m), List.of(v), null));
            assertTrue(e.getMessage().contains("cannot be recorded"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> cuda.adamStep(step, p, g, m, v, null));
        }
        cuda.adamStep(step, p, g, m, v, null);   // and after it, as usual
        assertTrue(p.toFloatArray()[0] < 1, "the update ran after the recording");
    }
}
