package io.jgrad.kernels.cuda;

/**
 * Raw device memory as the {@link CachingAllocator} sees it: the driver's {@code cuMemAlloc}/{@code cuMemFree}
 * in {@link CudaRuntime}, a fake in the allocator's tests (which need no GPU).
 *
 * @param <B> a handle to one block of device memory
 */
public interface DeviceMemory<B> {

    /** A new block of {@code bytes} bytes; throws {@link OutOfDeviceMemory} when the device has no room (and only then). */
    B allocate(long bytes) throws OutOfDeviceMemory;

    /** Gives a block from {@link #allocate} back to the device. */
    void free(B block);

    /**
     * Called once before a batch of {@link #free}s: waits until no queued command can still use a cached block
     * (the CUDA runtime drains its stream). Blocks reused from the cache need no wait: the one stream orders them.
     */
    default void quiesce() {
    }

    /** The device said no: the request does not fit in what is free. */
    final class OutOfDeviceMemory extends Exception {
        private static final long serialVersionUID = 1L;

        public OutOfDeviceMemory(String message) {
            super(message);
        }
    }
}
