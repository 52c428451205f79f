package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caching allocator on the device: explicit close returns blocks, and a repeated step keeps the pool flat. Needs a GPU. */
@Tag("gpu")
class CudaMemoryTest {

    @Test
    void closedStoragesAreReusedAndTheHighWaterMarkStaysFlat() {
        CudaBackend cuda = CudaTesting.backend();
        CachingAllocator<?> pool = cuda.runtime().allocator();
        Device gpu = cuda.device();
        NDArray w = CudaTesting.randn(1, DType.FLOAT32, 256, 256).to(gpu);
        long high = -1, reserved = -1;
        for (int step = 0; step < 200; step++) {
            NDArray x = NDArray.zeros(DType.FLOAT32, gpu, 128, 256);
            NDArray y = x.matmul(w).relu();
            NDArray s = y.sum();
            for (NDArray a : new NDArray[] {x, y, s}) ((CudaStorage) a.storage()).close();
            if (step == 10) {
                high = pool.highWaterBytes();
                reserved = pool.reservedBytes();
            }
        }
        assertEquals(high, pool.highWaterBytes(), pool.state());
        assertEquals(reserved, pool.reservedBytes(), pool.state());
        assertTrue(w.sum().to(Device.CPU).toDoubleArray().length == 1);
        System.out.println("CudaMemoryTest: " + pool.state());
    }
}
