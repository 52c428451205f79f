package io.jgrad.tensor.spi;

/**
 * A device allocator's counters, in bytes, as PyTorch's {@code torch.cuda.memory_allocated},
 * {@code memory_reserved} and their {@code max_} high-water marks: {@code allocated} is held by live storages,
 * {@code reserved} is what the allocator holds from the driver (live storages plus its cache of freed blocks).
 * A training loop that frees what it allocates has a {@code peakReservedBytes} that stops growing after the
 * first steps; one that leaks keeps raising it.
 */
public record MemoryStats(long allocatedBytes, long reservedBytes, long peakAllocatedBytes, long peakReservedBytes) {

    /** For backends that keep no count (the host backends, whose memory is the JVM heap). */
    public static final MemoryStats UNKNOWN = new MemoryStats(-1, -1, -1, -1);

    public boolean known() {
        return peakReservedBytes >= 0;
    }

    @Override
    public String toString() {
        if (!known()) return "memory stats: not kept by this backend";
        return String.format(java.util.Locale.ROOT, "allocated %.1f MiB, reserved %.1f MiB, peak allocated %.1f MiB, peak reserved %.1f MiB",
                allocatedBytes / 1048576.0, reservedBytes / 1048576.0, peakAllocatedBytes / 1048576.0, peakReservedBytes / 1048576.0);
    }
}
