package io.jgrad.kernels.cuda;

import io.jgrad.tensor.spi.MemoryStats;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device memory recycled by size bucket, as PyTorch's caching allocator does: training allocates the same
 * shapes every step, and {@code cuMemAlloc}/{@code cuMemFree} are slow (cuMemFree synchronises the device), so
 * a released block waits in its bucket's free list for the next request of that bucket instead of going back
 * to the driver. Requests round up to 512 bytes below 1 MiB (then to a power of two) and to a multiple of
 * 2 MiB above, so a few buckets serve every size with little waste.
 *
 * <p>Reusing a block that queued kernels still read is safe because every command of the device goes to one
 * stream: whatever the new owner enqueues runs after them.
 *
 * <p>When the device runs out of memory, the allocator first lets the garbage collector find storages nobody
 * references any more (their blocks come back through a {@link java.lang.ref.Cleaner}, and the Java heap may
 * be far from full when device memory is: a device array's Java object is tiny), then frees every cached block
 * and tries once more; if that fails too it throws an {@link OutOfMemoryError} naming the request and the pool's state (reserved,
 * allocated, cached, high-water mark), the numbers PyTorch's message gives.
 *
 * <p>A recorded step (a CUDA graph, {@link CudaRuntime#beginRecording}) replays commands that read and write the
 * blocks they had when they were recorded. While a {@link PrivatePool} is active, every block allocated goes to
 * it: freed, it waits in the pool's own lists (for the rest of the recording), never in the shared cache, so no
 * other array can be given memory that a replay writes. Closing the pool hands its blocks back to the cache.
 *
 * @param <B> the handle of a block of device memory
 */
public final class CachingAllocator<B> {

    static final long MIN_BLOCK = 512;
    static final long SMALL_LIMIT = 1L << 20;
    static final long LARGE_STEP = 2L << 20;

    /** A block in use: its handle, its bucket's size, and the private pool it belongs to (null: the shared cache). */
    public record Block<B>(B handle, long bytes, PrivatePool<B> pool) {
    }

    /** Free blocks kept for one recording: see the class comment. */
    public static final class PrivatePool<B> {
        private final Map<Long, ArrayDeque<B>> free = new HashMap<>();
        private boolean closed;
        private long allocations;

        /** Allocations made while this pool was active. */
        public long allocations() {
            return allocations;
        }
    }

    private final DeviceMemory<B> device;
    private final String deviceName;
    private final Map<Long, ArrayDeque<B>> free = new HashMap<>();
    /** Where allocations go while a recording is under way; null otherwise. */
    private PrivatePool<B> active;
    private long reservedBytes;
    private long allocatedBytes;
    private long highWaterBytes;
    private long peakReservedBytes;
    private long releases;
    private long allocations;
    private long cacheHits;

    public CachingAllocator(DeviceMemory<B> device, String deviceName) {
        this.device = device;
        this.deviceName = deviceName;
    }

    /** The bucket (block size in bytes) that serves a request of {@code bytes}. */
    public static long bucket(long bytes) {
        if (bytes <= MIN_BLOCK) return MIN_BLOCK;
        if (bytes <= SMALL_LIMIT) return Long.highestOneBit(bytes - 1) << 1;
        return (bytes + LARGE_STEP - 1) / LARGE_STEP * LARGE_STEP;
    }

    /** A block of at least {@code bytes} bytes, from the cache when its bucket has one; its contents are undefined. */
    public synchronized Block<B> allocate(long bytes) {
        long size = bucket(bytes);
        allocations++;
        // While recording: the pool's own free blocks first, then the shared cache's (they join the pool).
        B handle = active == null ? null : poll(active.free, size);
        if (handle == null) handle = poll(free, size);
        if (handle != null) {
            cacheHits++;
        } else {
            handle = active == null ? fromDevice(bytes, size) : fromDeviceWhileRecording(bytes, size);
            reservedBytes += size;
            peakReservedBytes = Math.max(peakReservedBytes, reservedBytes);
        }
        allocatedBytes += size;
        highWaterBytes = Math.max(highWaterBytes, allocatedBytes);
        if (active != null) active.allocations++;
        return new Block<>(handle, size, active);
    }

    private static <B> B poll(Map<Long, ArrayDeque<B>> lists, long size) {
        ArrayDeque<B> list = lists.get(size);
        return list == null ? null : list.poll();
    }

    /** Makes allocations go to a new private pool until {@link #endPool}: the blocks of a step being recorded. */
    public synchronized PrivatePool<B> beginPool() {
        if (active != null) throw new IllegalStateException("a private pool is already active on " + deviceName);
        active = new PrivatePool<>();
        return active;
    }

    /** Allocations go to the shared cache again; the pool keeps its blocks until {@link #closePool}. */
    public synchronized void endPool() {
        active = null;
    }

    /** The pool's free blocks go to the shared cache, and so will its blocks in use when they are released. */
    public synchronized void closePool(PrivatePool<B> pool) {
        if (active == pool) active = null;
        pool.closed = true;
        for (Map.Entry<Long, ArrayDeque<B>> e : pool.free.entrySet()) {
            free.computeIfAbsent(e.getKey(), b -> new ArrayDeque<>()).addAll(e.getValue());
        }
        pool.free.clear();
        notifyAll();
    }

    /**
     * A new block while a step is recorded: {@code cuMemAlloc} may be called then (relaxed capture mode), but not the
     * out-of-memory path, whose stream synchronisation would end the recording.
     */
    private B fromDeviceWhileRecording(long requested, long size) {
        try {
            return device.allocate(size);
        } catch (DeviceMemory.OutOfDeviceMemory e) {
            throw new OutOfMemoryError("CUDA out of memory on " + deviceName + " while recording a step: tried to allocate " + mib(size)
                    + " (a request of " + requested + " bytes); " + state() + " (" + e.getMessage() + ")");
        }
    }

    private B fromDevice(long requested, long size) {
        try {
            return device.allocate(size);
        } catch (DeviceMemory.OutOfDeviceMemory first) {
            reclaimUnreachable();
            emptyCache();
            try {
                return device.allocate(size);
            } catch (DeviceMemory.OutOfDeviceMemory second) {
                throw new OutOfMemoryError("CUDA out of memory on " + deviceName + ": tried to allocate " + mib(size) + " (a request of "
                        + requested + " bytes) after emptying the cache; " + state() + " (" + second.getMessage() + ")");
            }
        }
    }

    /**
     * Runs the garbage collector and waits (releasing this allocator's lock, so that the Cleaner's thread can
     * {@link #release}) until blocks have come back and stopped coming, at most {@link #RECLAIM_WAIT_MS}
     * milliseconds in all: the Cleaner runs after the collection, on its own thread.
     */
    private void reclaimUnreachable() {
        System.gc();
        long deadline = System.nanoTime() + RECLAIM_WAIT_MS * 1_000_000L;
        long before = releases, seen = releases;
        try {
            while (System.nanoTime() < deadline) {
                wait(RECLAIM_SLICE_MS);
                if (releases != before && releases == seen) break;
                seen = releases;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static final long RECLAIM_WAIT_MS = 1000;
    static final long RECLAIM_SLICE_MS = 50;

    /** Takes back a block from {@link #allocate}; it waits in its bucket for reuse. */
    public synchronized void release(Block<B> block) {
        allocatedBytes -= block.bytes();
        releases++;
        Map<Long, ArrayDeque<B>> lists = block.pool() != null && !block.pool().closed ? block.pool().free : free;
        lists.computeIfAbsent(block.bytes(), b -> new ArrayDeque<>()).push(block.handle());
        notifyAll();
    }

    /** Gives every cached (free) block back to the device; blocks in use and private pools' blocks are untouched. */
    public synchronized void emptyCache() {
        if (active != null) throw new IllegalStateException("emptyCache while a step is being recorded on " + deviceName + ": its synchronisation would end the recording");
        if (free.values().stream().anyMatch(list -> !list.isEmpty())) device.quiesce();
        for (Map.Entry<Long, ArrayDeque<B>> e : free.entrySet()) {
            for (B handle : e.getValue()) {
                device.free(handle);
                reservedBytes -= e.getKey();
            }
        }
        free.clear();
    }

    /** Bytes obtained from the device and not given back (in use plus cached). */
    public synchronized long reservedBytes() {
        return reservedBytes;
    }

    /** Bytes of the blocks in use. */
    public synchronized long allocatedBytes() {
        return allocatedBytes;
    }

    /** Bytes of the free blocks waiting for reuse. */
    public synchronized long cachedBytes() {
        return reservedBytes - allocatedBytes;
    }

    /** The most bytes in use at once so far: flat over a training run when nothing leaks. */
    public synchronized long highWaterBytes() {
        return highWaterBytes;
    }

    /** The counters as {@code Backend.memoryStats} reports them. */
    public synchronized MemoryStats stats() {
        return new MemoryStats(allocatedBytes, reservedBytes, highWaterBytes, peakReservedBytes);
    }

    /** The pool's state in words, for messages and {@code jgrad info}. */
    public synchronized String state() {
        return "reserved " + mib(reservedBytes) + ", allocated " + mib(allocatedBytes) + ", cached " + mib(reservedBytes - allocatedBytes)
                + ", high-water " + mib(highWaterBytes) + ", " + allocations + " allocations of which " + cacheHits + " from the cache";
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.2f MiB", bytes / (1024.0 * 1024.0));
    }
}
