package io.jgrad.kernels.opencl;

import io.jgrad.tensor.spi.MemoryStats;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.cl_context;
import org.jocl.cl_mem;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device buffers recycled by size bucket. Training allocates the same shapes every step; creating and
 * releasing an OpenCL buffer each time costs a driver call and, on GPUs, memory churn, so released buffers
 * wait here (up to {@code maxCachedBytes} in all) for the next request of their bucket.
 *
 * <p>Reusing a buffer that queued kernels still read is safe because every command goes to one in-order
 * queue: whatever the new owner enqueues runs after them.
 */
final class ClBufferPool {

    /** Smallest bucket: a zero-element storage still needs a valid buffer. */
    static final long MIN_BUCKET = 64;
    /** Above this, buckets grow in steps of this size rather than doubling, so big arrays waste little. */
    private static final long LARGE_STEP = 1L << 20;

    private final cl_context context;
    private final long maxCachedBytes;
    private final Map<Long, ArrayDeque<cl_mem>> free = new HashMap<>();
    private long cachedBytes;
    private long liveBytes;
    /** High-water marks of {@code liveBytes} and of {@code liveBytes + cachedBytes} (what the driver has given). */
    private long peakLiveBytes;
    private long peakReservedBytes;

    ClBufferPool(cl_context context, long maxCachedBytes) {
        this.context = context;
        this.maxCachedBytes = maxCachedBytes;
    }

    /** The bucket (capacity in bytes) that serves a request of {@code bytes}. */
    static long bucket(long bytes) {
        if (bytes <= MIN_BUCKET) return MIN_BUCKET;
        if (bytes <= LARGE_STEP) return Long.highestOneBit(bytes - 1) << 1;
        return (bytes + LARGE_STEP - 1) / LARGE_STEP * LARGE_STEP;
    }

    /** A buffer of exactly {@code bucketBytes} (a value of {@link #bucket}); its contents are undefined. */
    synchronized cl_mem acquire(long bucketBytes) {
        ArrayDeque<cl_mem> queue = free.get(bucketBytes);
        cl_mem mem = queue == null ? null : queue.poll();
        if (mem != null) {
            cachedBytes -= bucketBytes;
        } else {
            mem = create(bucketBytes);
        }
        liveBytes += bucketBytes;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
        peakReservedBytes = Math.max(peakReservedBytes, liveBytes + cachedBytes);
        return mem;
    }

    /** Takes back a buffer from {@link #acquire}; keeps it for reuse unless the cache is full. */
    synchronized void release(cl_mem mem, long bucketBytes) {
        liveBytes -= bucketBytes;
        if (cachedBytes + bucketBytes > maxCachedBytes) {
            CL.clReleaseMemObject(mem);
            return;
        }
        free.computeIfAbsent(bucketBytes, b -> new ArrayDeque<>()).push(mem);
        cachedBytes += bucketBytes;
    }

    /** Releases every cached buffer (live ones are untouched). */
    synchronized void trim() {
        for (ArrayDeque<cl_mem> queue : free.values()) {
            for (cl_mem mem : queue) CL.clReleaseMemObject(mem);
        }
        free.clear();
        cachedBytes = 0;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    synchronized long liveBytes() {
        return liveBytes;
    }

    /** The counters as the SPI reports them: live buffers are allocated, live plus cached are reserved. */
    synchronized MemoryStats stats() {
        return new MemoryStats(liveBytes, liveBytes + cachedBytes, peakLiveBytes, peakReservedBytes);
    }

    private cl_mem create(long bytes) {
        try {
            return CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes, null, null);
        } catch (CLException e) {
            // Out of device memory: give the cached buffers back to the driver and try once more.
            trim();
            return CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes, null, null);
        }
    }
}
