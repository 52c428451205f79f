package io.jgrad.train;

import java.util.Locale;

/**
 * Counts of (actual class, predicted class) pairs, and the metrics read off them: accuracy, and per class
 * precision ({@code TP / (TP + FP)}), recall ({@code TP / (TP + FN)}) and F1 (their harmonic mean), with
 * macro averages.
 *
 * <p>Undefined ratios follow scikit-learn's {@code precision_recall_fscore_support} with
 * {@code zero_division=0} and torchmetrics' multiclass metrics: a class that occurs (as a label or as a
 * prediction) but was never predicted has precision 0, one that was never a label has recall 0, and both
 * count in the macro means. So a constant predictor is not rewarded for the classes it never names (skipping
 * them reported a macro F1 of 0.198 for one). A class that occurs neither as a label nor as a prediction has
 * no precision, recall or F1 (NaN) and is left out of the macro means, as both libraries leave it out (their
 * default set of labels is those present; torchmetrics gives such classes weight 0).
 */
public final class ConfusionMatrix {

    private final long[][] counts; // [actual][predicted]

    public ConfusionMatrix(int numClasses) {
        if (numClasses < 1) throw new IllegalArgumentException("ConfusionMatrix: numClasses must be >= 1, got " + numClasses);
        counts = new long[numClasses][numClasses];
    }

    public int numClasses() {
        return counts.length;
    }

    public void add(int actual, int predicted) {
        if (actual < 0 || actual >= counts.length || predicted < 0 || predicted >= counts.length) {
            throw new IllegalArgumentException("ConfusionMatrix: class out of range 0.." + (counts.length - 1) + ": actual " + actual + ", predicted " + predicted);
        }
        counts[actual][predicted]++;
    }

    /** Adds element-wise pairs of labels and predictions. */
    public void addAll(long[] actual, long[] predicted) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException("ConfusionMatrix: " + actual.length + " labels but " + predicted.length + " predictions");
        }
        for (int i = 0; i < actual.length; i++) add((int) actual[i], (int) predicted[i]);
    }

    public long count(int actual, int predicted) {
        return counts[actual][predicted];
    }

    public long total() {
        long n = 0;
        for (long[] row : counts) for (long c : row) n += c;
        return n;
    }

    /** Fraction of correct predictions (NaN when empty). */
    public double accuracy() {
        long correct = 0;
        for (int c = 0; c < counts.length; c++) correct += counts[c][c];
        long n = total();
        return n == 0 ? Double.NaN : (double) correct / n;
    }

    private long predicted(int c) {
        long n = 0;
        for (long[] row : counts) n += row[c];
        return n;
    }

    private long actual(int c) {
        long n = 0;
        for (long v : counts[c]) n += v;
        return n;
    }

    /** Whether class c occurs at all, as a label or as a prediction. */
    private boolean occurs(int c) {
        return predicted(c) + actual(c) > 0;
    }

    /** TP / (TP + FP); 0 for a class that occurs but was never predicted; NaN for one that never occurs. */
    public double precision(int c) {
        long predicted = predicted(c);
        return !occurs(c) ? Double.NaN : predicted == 0 ? 0 : (double) counts[c][c] / predicted;
    }

    /** TP / (TP + FN); 0 for a class that occurs but was never a label; NaN for one that never occurs. */
    public double recall(int c) {
        long actual = actual(c);
        return !occurs(c) ? Double.NaN : actual == 0 ? 0 : (double) counts[c][c] / actual;
    }

    /** F1 of class c; 0 when precision and recall are both 0; NaN for a class that never occurs. */
    public double f1(int c) {
        double p = precision(c), r = recall(c);
        if (Double.isNaN(p) || Double.isNaN(r)) return Double.NaN;
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double macroPrecision() {
        return macro(0);
    }

    public double macroRecall() {
        return macro(1);
    }

    public double macroF1() {
        return macro(2);
    }

    private double macro(int which) {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < counts.length; c++) {
            double v = which == 0 ? precision(c) : which == 1 ? recall(c) : f1(c);
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** The matrix as a table (rows: actual, columns: predicted) with per-class precision, recall and F1. */
    public String format() {
        StringBuilder sb = new StringBuilder("actual\\pred");
        for (int c = 0; c < counts.length; c++) sb.append(String.format(Locale.ROOT, "%7d", c));
        sb.append("   precision  recall      f1\n");
        for (int a = 0; a < counts.length; a++) {
            sb.append(String.format(Locale.ROOT, "%11d", a));
            for (long v : counts[a]) sb.append(String.format(Locale.ROOT, "%7d", v));
            sb.append(String.format(Locale.ROOT, "   %9.4f %7.4f %7.4f%n", precision(a), recall(a), f1(a)));
        }
        return sb.toString();
    }
}
