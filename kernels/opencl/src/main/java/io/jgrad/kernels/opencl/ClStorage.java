package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Storage;
import org.jocl.cl_mem;

import java.lang.ref.Cleaner;

/**
 * A storage in one OpenCL buffer. The buffer goes back to the runtime's {@link ClBufferPool} when the storage
 * becomes unreachable (through a {@link Cleaner}) or at {@link #close()}, whichever comes first. Its
 * capacity is a pool bucket, at least {@code size * dtype.byteSize()} bytes.
 */
public final class ClStorage extends Storage implements AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create();

    private final ClRuntime runtime;
    private final cl_mem buffer;
    private final long capacityBytes;
    private final Cleaner.Cleanable cleanable;

    ClStorage(ClRuntime runtime, DType dtype, int size, cl_mem buffer, long capacityBytes) {
        super(dtype, size);
        this.runtime = runtime;
        this.buffer = buffer;
        this.capacityBytes = capacityBytes;
        this.cleanable = CLEANER.register(this, new Release(runtime.pool(), buffer, capacityBytes));
    }

    /** The OpenCL storage of an array of the OpenCL backend. */
    public static ClStorage of(NDArray a) {
        return (ClStorage) a.storage();
    }

    /** The OpenCL buffer; valid while this storage is reachable and not closed. */
    public cl_mem buffer() {
        return buffer;
    }

    /** Bytes used by the elements ({@code size * dtype.byteSize()}). */
    public long byteSize() {
        return (long) size() * dtype().byteSize();
    }

    long capacityBytes() {
        return capacityBytes;
    }

    public ClRuntime runtime() {
        return runtime;
    }

    @Override
    public Device device() {
        return runtime.jgradDevice();
    }

    /** Returns the buffer to the pool now; the storage must not be used afterwards. Idempotent. */
    @Override
    public void close() {
        cleanable.clean();
    }

    /** The cleaning action; it must not refer to the storage, or the storage would never become unreachable. */
    private record Release(ClBufferPool pool, cl_mem buffer, long bytes) implements Runnable {
        @Override
        public void run() {
            pool.release(buffer, bytes);
        }
    }
}
