package io.jgrad.bench;

import io.jgrad.tensor.Backends;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.MemoryStats;

import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code jgrad bench memory --backend NAME [--steps N] [--model mlp|cnn] [--batch N]}: N training steps on the
 * backend's device, printing its allocator's counters ({@link Backend#memoryStats()}) every tenth of the run. A
 * loop that frees what it allocates reaches its high-water mark (peak reserved) early and keeps it; the last line
 * says whether the peak still grew in the second half of the run, and the command fails (status 1) if it did.
 * Storages that are released when the garbage collector finds them unreachable (a {@code Cleaner}) free device
 * memory only at collections, so the first half must be long enough to see several.
 */
final class MemoryReport {

    static final int STEPS = 10_000;

    private MemoryReport() {
    }

    /** Returns the exit status: 0 when memory stayed flat (or the backend keeps no counters), 1 when it grew. */
    static int run(String backendName, String model, int batch, int steps, PrintStream out) {
        Backends.use(backendName);   // model, data and optimiser state on its device
        Backend backend = Backends.get(backendName);
        out.println("jgrad bench memory --backend " + backendName + ": " + steps + " training steps of '" + model + "', batch " + batch + ", on " + backend.deviceName());
        TrainingStep step = new TrainingStep(backend, model, batch);
        int every = Math.max(1, steps / 10);
        long start = System.nanoTime();
        long peakAtHalf = -1;
        out.println(String.format(Locale.ROOT, "%8s | %8s | %s", "step", "s", "allocator"));
        for (int i = 1; i <= steps; i++) {
            step.run();
            if (i % every == 0 || i == steps) {
                MemoryStats stats = backend.memoryStats();
                out.println(String.format(Locale.ROOT, "%8d | %8.1f | %s", i, (System.nanoTime() - start) / 1e9, stats));
                if (i == every * 5) peakAtHalf = stats.peakReservedBytes();
            }
        }
        MemoryStats last = backend.memoryStats();
        if (!last.known()) {
            out.println("memory " + backendName + " " + steps + " steps: n/a (the backend keeps no allocator counters)");
            return 0;
        }
        boolean flat = last.peakReservedBytes() <= peakAtHalf;
        out.println(String.format(Locale.ROOT, "memory %s %d steps: peak reserved %.1f MiB at step %d, %.1f MiB at the end: %s", backendName, steps,
                peakAtHalf / 1048576.0, every * 5, last.peakReservedBytes() / 1048576.0, flat ? "flat" : "GROWING"));
        return flat ? 0 : 1;
    }
}
