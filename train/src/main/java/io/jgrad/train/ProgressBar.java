package io.jgrad.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows training progress: on a terminal one line redrawn in place ({@code \r}) with a bar, batch count, ETA,
 * loss, accuracy and images per second; when output goes to a file or pipe, a plain line every tenth of the
 * epoch so logs stay readable.
 */
public final class ProgressBar {

    private static final int WIDTH = 24;
    /** A terminal line redrawn more often than this only flickers. */
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private final String label;
    private final int totalBatches;
    private final long startNanos;
    private int lastPlainDecile = -1;
    private long lastDrawNanos;

    public ProgressBar(PrintStream out, boolean interactive, String label, int totalBatches) {
        this.out = out;
        this.interactive = interactive;
        this.label = label;
        this.totalBatches = totalBatches;
        this.startNanos = System.nanoTime();
    }

    /** True when standard output is a terminal (no redirection). */
    public static boolean stdoutIsTerminal() {
        return System.console() != null && System.getenv("CI") == null;
    }

    /**
     * Whether {@link #update} with {@code batches} would print: on a terminal at most ten times a second (and at
     * the last batch), else at each new tenth of the epoch. A caller whose numbers cost something to get (a read
     * from a GPU) asks first; {@link #update} prints by the same rule either way.
     */
    public boolean due(int batches) {
        if (interactive) return batches >= totalBatches || System.nanoTime() - lastDrawNanos >= REDRAW_NANOS || lastDrawNanos == 0;
        int decile = totalBatches == 0 ? 10 : (int) (10L * batches / totalBatches);
        return decile > lastPlainDecile;
    }

    /** Reports that {@code batches} batches ({@code images} examples) are done, with running loss and accuracy. */
    public void update(int batches, long images, double loss, double accuracy) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = seconds > 0 ? images / seconds : 0;
        double eta = batches > 0 ? seconds * (totalBatches - batches) / batches : Double.NaN;
        String stats = String.format(Locale.ROOT, "%d/%d  loss %.4f  acc %.2f%%  %.0f img/s  eta %s",
                batches, totalBatches, loss, 100 * accuracy, rate, formatSeconds(eta));
        if (interactive) {
            lastDrawNanos = System.nanoTime();
            int filled = totalBatches == 0 ? WIDTH : (int) ((long) WIDTH * batches / totalBatches);
            out.print("\r" + label + " [" + "=".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + stats + "   ");
            if (batches == totalBatches) out.println();
            out.flush();
        } else {
            int decile = totalBatches == 0 ? 10 : (int) (10L * batches / totalBatches);
            if (decile != lastPlainDecile && (decile > lastPlainDecile)) {
                lastPlainDecile = decile;
                out.println(label + " " + stats);
            }
        }
    }

    static String formatSeconds(double s) {
        if (Double.isNaN(s) || Double.isInfinite(s)) return "--:--";
        long total = Math.round(s);
        return total >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
                : String.format(Locale.ROOT, "%d:%02d", total / 60, total % 60);
    }
}
