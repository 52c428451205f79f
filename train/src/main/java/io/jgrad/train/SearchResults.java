package io.jgrad.train;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The trials of a {@link HyperparameterSearch}, best first: by validation accuracy, then lower validation
 * loss, then trial number; trials whose loss diverged (NaN or infinite) come last.
 */
public final class SearchResults {

    /** A trial's outcome; loss and accuracy are NaN when training diverged. */
    public record Entry(int number, HyperparameterSearch.Trial trial, double validationLoss, double validationAccuracy, double seconds) {
        public boolean diverged() {
            return Double.isNaN(validationAccuracy);
        }
    }

    private static final Comparator<Entry> BEST_FIRST = Comparator.comparing(Entry::diverged)
            .thenComparing(Entry::validationAccuracy, Comparator.reverseOrder())
            .thenComparing(Entry::validationLoss)
            .thenComparing(Entry::number);

    private final List<Entry> ranked;

    public SearchResults(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(BEST_FIRST);
        this.ranked = List.copyOf(sorted);
    }

    /** Every trial, best first. */
    public List<Entry> ranked() {
        return ranked;
    }

    /** The best trial, or null when there were none. */
    public Entry best() {
        return ranked.isEmpty() ? null : ranked.get(0);
    }

    /** The ranked trials as a text table, one row per trial, ending with a newline. */
    public String formatTable() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%5s  %-9s  %5s  %-9s  %-9s  %8s  %8s  %7s%n",
                "trial", "lr", "batch", "optimizer", "wd", "val loss", "val acc", "seconds"));
        for (Entry e : ranked) {
            HyperparameterSearch.Trial t = e.trial();
            sb.append(String.format(Locale.ROOT, "%5d  %-9s  %5d  %-9s  %-9s  %8s  %8s  %7.1f%n", e.number(), number(t.lr()), t.batchSize(), t.optimizer(),
                    number(t.weightDecay()), e.diverged() ? "diverged" : String.format(Locale.ROOT, "%.4f", e.validationLoss()),
                    e.diverged() ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * e.validationAccuracy()), e.seconds()));
        }
        return sb.toString();
    }

    /** {@code lr 0.001, batch 64, adam, weight decay 0}. */
    public static String describe(HyperparameterSearch.Trial t) {
        return "lr " + number(t.lr()) + ", batch " + t.batchSize() + ", " + t.optimizer() + ", weight decay " + number(t.weightDecay());
    }

    /** Three significant digits without trailing zeros: {@code 0.001}, {@code 0.00316}, {@code 0}, {@code 0.000001}, {@code 1E-7}. */
    static String number(double v) {
        if (!Double.isFinite(v)) return Double.toString(v);
        return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toString();
    }
}
