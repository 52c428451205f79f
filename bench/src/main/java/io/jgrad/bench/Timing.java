package io.jgrad.bench;

import java.util.Arrays;

/** How the bench report times a piece of work: warm up, then take the median of repeated runs. */
final class Timing {

    /** At least this long (and {@link #WARMUP_RUNS} runs) of warm-up, so the JIT has compiled the kernels. */
    static final double WARMUP_SECONDS = 0.5;
    static final int WARMUP_RUNS = 3;
    /** Then runs until at least this long and {@link #RUNS} runs have been timed. */
    static final double MEASURE_SECONDS = 1.0;
    static final int RUNS = 5;
    static final int MAX_RUNS = 500;

    private Timing() {
    }

    /** Median wall time of one run of {@code work}, in seconds. */
    static double medianSeconds(Runnable work) {
        long warmEnd = System.nanoTime() + (long) (WARMUP_SECONDS * 1e9);
        for (int i = 0; i < WARMUP_RUNS || System.nanoTime() < warmEnd; i++) work.run();
        double[] times = new double[MAX_RUNS];
        int runs = 0;
        long end = System.nanoTime() + (long) (MEASURE_SECONDS * 1e9);
        while (runs < MAX_RUNS && (runs < RUNS || System.nanoTime() < end)) {
            long t0 = System.nanoTime();
            work.run();
            times[runs++] = (System.nanoTime() - t0) / 1e9;
        }
        return median(Arrays.copyOf(times, runs));
    }

    /** The median of {@code values} (sorted in place). */
    static double median(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
