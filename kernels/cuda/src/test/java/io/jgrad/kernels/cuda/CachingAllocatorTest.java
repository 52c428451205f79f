package io.jgrad.kernels.cuda;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caching allocator's logic over fake device memory (no GPU): buckets, reuse, statistics, out-of-memory handling. */
class CachingAllocatorTest {

    /** A device of {@code capacity} bytes whose blocks are numbered; counts the driver calls. */
    static final class FakeDevice implements DeviceMemory<Integer> {
        final long capacity;
        long used;
        int allocations;
        int frees;
        int quiesces;
        final Set<Integer> live = new HashSet<>();
        private final java.util.Map<Integer, Long> sizes = new java.util.HashMap<>();
        private int next;

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public Integer allocate(long bytes) throws OutOfDeviceMemory {
            if (used + bytes > capacity) throw new OutOfDeviceMemory("CUDA_ERROR_OUT_OF_MEMORY");
            used += bytes;
            allocations++;
            int id = next++;
            live.add(id);
            sizes.put(id, bytes);
            return id;
        }

        @Override
        public void quiesce() {
            quiesces++;
        }

        @Override
        public void free(Integer block) {
            assertTrue(live.remove(block), "double free of block " + block);
            used -= sizes.remove(block);
            frees++;
        }
    }

    @Test
    void bucketsRoundSmallRequestsToPowersOfTwoAndLargeOnesTo2MiB() {
        assertEquals(512, CachingAllocator.bucket(0));
        assertEquals(512, CachingAllocator.bucket(1));
        assertEquals(512, CachingAllocator.bucket(512));
        assertEquals(1024, CachingAllocator.bucket(513));
        assertEquals(1 << 20, CachingAllocator.bucket((1 << 19) + 1));
        assertEquals(1 << 20, CachingAllocator.bucket(1 << 20));
        assertEquals(2L << 20, CachingAllocator.bucket((1 << 20) + 1));
        assertEquals(4L << 20, CachingAllocator.bucket((2L << 20) + 1));
        assertEquals(100L << 20, CachingAllocator.bucket((99L << 20) + 12345));
    }

    /**
     * A recorded step's blocks: taken from the shared cache (or the device) while the pool is active, back to the
     * pool when released, served again inside the recording, never to anyone after it until the pool is closed.
     */
    @Test
    void aPrivatePoolKeepsARecordedStepsBlocksFromEveryoneElse() {
        FakeDevice device = new FakeDevice(1L << 30);
        CachingAllocator<Integer> allocator = new CachingAllocator<>(device, "fake");
        CachingAllocator.Block<Integer> warm = allocator.allocate(1000);
        allocator.release(warm);                                   // the warm-up step's block, cached

        CachingAllocator.PrivatePool<Integer> pool = allocator.beginPool();
        CachingAllocator.Block<Integer> a = allocator.allocate(900);
        assertSame(warm.handle(), a.handle(), "from the shared cache, without the device");
        assertSame(pool, a.pool());
        CachingAllocator.Block<Integer> b = allocator.allocate(5000);   // a miss: the device, into the pool
        assertSame(pool, b.pool());
        allocator.release(a);
        CachingAllocator.Block<Integer> again = allocator.allocate(1000);
        assertSame(a.handle(), again.handle(), "reused inside the recording");
        allocator.release(again);
        assertThrows(IllegalStateException.class, allocator::emptyCache);
        assertThrows(IllegalStateException.class, allocator::beginPool);
        allocator.endPool();
        assertEquals(3, pool.allocations());

        CachingAllocator.Block<Integer> outside = allocator.allocate(1000);
        assertNotSame(a.handle(), outside.handle(), "the pool's free block is not for others");
        allocator.emptyCache();
        assertTrue(device.live.contains(a.handle()) && device.live.contains(b.handle()), "emptyCache leaves the pool's blocks");

        allocator.closePool(pool);
        allocator.release(outside);
        allocator.release(b);                                      // in use at closing: to the shared cache now
        CachingAllocator.Block<Integer> after = allocator.allocate(1000);
        assertTrue(after.pool() == null);
        assertTrue(after.handle().equals(a.handle()) || after.handle().equals(outside.handle()), "closed: the pool's blocks serve everyone");
        assertSame(b.handle(), allocator.allocate(5000).handle());
    }

    @Test
    void aReleasedBlockServesTheNextRequestOfItsBucketWithoutTheDriver() {
        FakeDevice device = new FakeDevice(1L << 30);
        CachingAllocator<Integer> pool = new CachingAllocator<>(device, "fake");
        CachingAllocator.Block<Integer> a = pool.allocate(1000);
        assertEquals(1024, a.bytes());
        pool.release(a);
        CachingAllocator.Block<Integer> b = pool.allocate(700); // same bucket (1024)
        assertSame(a.handle(), b.handle());
        assertEquals(1, device.allocations);
        CachingAllocator.Block<Integer> c = pool.allocate(3000); // another bucket
        assertNotSame(a.handle(), c.handle());
        assertEquals(2, device.allocations);
        assertEquals(1024 + 4096, pool.allocatedBytes());
        assertEquals(1024 + 4096, pool.reservedBytes());
        pool.release(b);
        assertEquals(4096, pool.allocatedBytes());
        assertEquals(1024, pool.cachedBytes());
        assertEquals(1024 + 4096, pool.highWaterBytes());
        pool.emptyCache();
        assertEquals(1, device.frees);
        assertEquals(1, device.quiesces, "the device is drained once before cached blocks are freed");
        pool.emptyCache();
        assertEquals(1, device.quiesces, "nothing cached: no wait");
        assertEquals(4096, pool.reservedBytes());
        assertEquals(0, pool.cachedBytes());
    }

    @Test
    void aTrainingLoopKeepsTheHighWaterMarkAndTheDriverCallsFlat() {
        FakeDevice device = new FakeDevice(1L << 30);
        CachingAllocator<Integer> pool = new CachingAllocator<>(device, "fake");
        long[] sizes = {4 * 784 * 128, 4 * 128, 4 * 10 * 128, 4, 4 * 784 * 128};
        long highAfterFirst = -1;
        int callsAfterFirst = -1;
        for (int step = 0; step < 100; step++) {
            var blocks = new java.util.ArrayList<CachingAllocator.Block<Integer>>();
            for (long s : sizes) blocks.add(pool.allocate(s));
            blocks.forEach(pool::release);
            if (step == 0) {
                highAfterFirst = pool.highWaterBytes();
                callsAfterFirst = device.allocations;
            }
        }
        assertEquals(highAfterFirst, pool.highWaterBytes());
        assertEquals(callsAfterFirst, device.allocations);
        assertEquals(0, pool.allocatedBytes());
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetriesOnce() {
        FakeDevice device = new FakeDevice(8L << 20);
        CachingAllocator<Integer> pool = new CachingAllocator<>(device, "fake");
        pool.release(pool.allocate(6L << 20)); // 6 MiB cached, 2 MiB free on the device
        CachingAllocator.Block<Integer> b = pool.allocate(4L << 20); // needs the cached 6 MiB given back
        assertEquals(4L << 20, b.bytes());
        assertEquals(1, device.frees);
        assertEquals(4L << 20, pool.reservedBytes());
        assertEquals(0, pool.cachedBytes());
    }

    @Test
    void outOfMemoryAfterTheRetryNamesTheRequestAndThePoolState() {
        FakeDevice device = new FakeDevice(8L << 20);
        CachingAllocator<Integer> pool = new CachingAllocator<>(device, "fake GPU");
        CachingAllocator.Block<Integer> held = pool.allocate(6L << 20);
        pool.release(pool.allocate(1000));
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> pool.allocate(5_000_000));
        String m = e.getMessage();
        assertTrue(m.contains("fake GPU"), m);
        assertTrue(m.contains("a request of 5000000 bytes"), m);
        assertTrue(m.contains("tried to allocate 6.00 MiB"), m);
        assertTrue(m.contains("reserved 6.00 MiB"), m);     // the cached 1 KiB block was given back before the retry
        assertTrue(m.contains("allocated 6.00 MiB"), m);
        assertTrue(m.contains("cached 0.00 MiB"), m);
        assertTrue(m.contains("high-water 6.00 MiB"), m);
        assertTrue(m.contains("CUDA_ERROR_OUT_OF_MEMORY"), m);
        assertEquals(6L << 20, pool.allocatedBytes()); // the failed request left no trace
        pool.release(held);
    }

    @Test
    void outOfMemoryWaitsForBlocksThatTheCleanerReleasesBeforeGivingUp() throws Exception {
        FakeDevice device = new FakeDevice(4L << 20);
        CachingAllocator<Integer> allocator = new CachingAllocator<>(device, "fake");
        CachingAllocator.Block<Integer> held = allocator.allocate(4L << 20);
        // As a Cleaner would, once the collector finds the storage unreachable: from another thread, a little later.
        Thread cleaner = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            allocator.release(held);
        });
        cleaner.start();
        CachingAllocator.Block<Integer> next = allocator.allocate(2L << 20); // another bucket: needs the device
        cleaner.join();
        assertEquals(2L << 20, next.bytes());
        assertEquals(1, device.frees, "the released 4 MiB block went back to the device to make room");
        io.jgrad.tensor.spi.MemoryStats stats = allocator.stats();
        assertEquals(2L << 20, stats.allocatedBytes());
        assertEquals(2L << 20, stats.reservedBytes());
        assertEquals(4L << 20, stats.peakAllocatedBytes());
        assertEquals(4L << 20, stats.peakReservedBytes());
    }
}
