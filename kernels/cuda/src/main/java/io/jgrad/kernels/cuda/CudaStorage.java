package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Storage;
import jcuda.driver.CUdeviceptr;

import java.lang.ref.Cleaner;

/**
 * A storage in one block of device memory. The block goes back to the runtime's {@link CachingAllocator} when
 * the storage becomes unreachable (through a {@link Cleaner}) or at {@link #close()}, whichever comes first.
 */
public final class CudaStorage extends Storage implements AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaRuntime runtime;
    private final CUdeviceptr pointer;
    private final long address;
    private final Cleaner.Cleanable cleanable;

    CudaStorage(CudaRuntime runtime, DType dtype, int size, CachingAllocator.Block<CUdeviceptr> block) {
        super(dtype, size);
        this.runtime = runtime;
        this.pointer = block.handle();
        this.address = DeviceAddress.of(pointer);
        this.cleanable = CLEANER.register(this, new Release(runtime.allocator(), block));
    }

    /** The CUDA storage of an array of the CUDA backend. */
    public static CudaStorage of(NDArray a) {
        return (CudaStorage) a.storage();
    }

    /** The device address; valid while this storage is reachable and not closed. */
    public CUdeviceptr pointer() {
        return pointer;
    }

    /** The device address of element {@code index}, for tables of pointers that kernels read. */
    public long address(int index) {
        return address + (long) index * dtype().byteSize();
    }

    /** Bytes used by the elements. */
    public long byteSize() {
        return (long) size() * dtype().byteSize();
    }

    @Override
    public Device device() {
        return runtime.jgradDevice();
    }

    /**
     * Returns the block to the allocator now, or, while an open recording uses it, when that recording closes (its
     * replays read and write the block); the storage must not be used afterwards. Idempotent.
     */
    @Override
    public void close() {
        if (!runtime.deferClose(this)) cleanable.clean();
    }

    /** The cleaning action; it must not refer to the storage, or the storage would never become unreachable. */
    private record Release(CachingAllocator<CUdeviceptr> allocator, CachingAllocator.Block<CUdeviceptr> block) implements Runnable {
        @Override
        public void run() {
            allocator.release(block);
        }
    }
}
