package io.jgrad.optimizers;

import java.util.List;

/**
 * Divides the learning rate when a metric has stopped improving, as PyTorch's {@code ReduceLROnPlateau}:
 * after each epoch pass the metric (validation loss, accuracy, ...) to {@link #step(double)}. When more than
 * {@code patience} epochs in a row brought no improvement, every group's rate is multiplied by
 * {@code factor} (not below {@code minLr}), then {@code cooldown} epochs pass before bad epochs count again.
 *
 * <pre>
 * improvement (mode MIN, REL):  metric &lt; best·(1 − threshold)      (MIN, ABS):  metric &lt; best − threshold
 *             (mode MAX, REL):  metric &gt; best·(1 + threshold)      (MAX, ABS):  metric &gt; best + threshold
 * </pre>
 */
public final class ReduceLROnPlateau {

    /** Whether a lower ({@code MIN}, a loss) or a higher ({@code MAX}, an accuracy) metric is better. */
    public enum Mode { MIN, MAX }

    /** Whether {@code threshold} is relative to the best metric or an absolute margin. */
    public enum ThresholdMode { REL, ABS }

    private final Optimizer optimizer;
    private final Mode mode;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final ThresholdMode thresholdMode;
    private final int cooldown;
    private final double minLr;
    private final double eps;

    private double best;
    private int badEpochs;
    private int cooldownLeft;
    private int epoch;

    public static Builder builder() {
        return new Builder();
    }

    private ReduceLROnPlateau(Optimizer optimizer, Builder b) {
        if (!(b.factor < 1 && b.factor >= 0)) throw new IllegalArgumentException("ReduceLROnPlateau: factor must be in [0, 1), got " + b.factor);
        if (b.patience < 0) throw new IllegalArgumentException("ReduceLROnPlateau: patience must be >= 0, got " + b.patience);
        if (b.cooldown < 0) throw new IllegalArgumentException("ReduceLROnPlateau: cooldown must be >= 0, got " + b.cooldown);
        this.optimizer = optimizer;
        this.mode = b.mode;
        this.factor = b.factor;
        this.patience = b.patience;
        this.threshold = b.threshold;
        this.thresholdMode = b.thresholdMode;
        this.cooldown = b.cooldown;
        this.minLr = b.minLr;
        this.eps = b.eps;
        this.best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** Ends an epoch whose metric was {@code metric}; may lower the learning rates for the next one. */
    public void step(double metric) {
        epoch++;
        if (isImprovement(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;   // bad epochs during the cooldown do not count
        }
        if (badEpochs > patience) {
            reduceLr();
            cooldownLeft = cooldown;
            badEpochs = 0;
        }
    }

    private boolean isImprovement(double metric) {
        return switch (mode) {
            case MIN -> thresholdMode == ThresholdMode.REL ? metric < best * (1 - threshold) : metric < best - threshold;
            case MAX -> thresholdMode == ThresholdMode.REL ? metric > best * (1 + threshold) : metric > best + threshold;
        };
    }

    private void reduceLr() {
        List<ParamGroup> groups = optimizer.paramGroups();
        for (ParamGroup group : groups) {
            double old = group.lr();
            double reduced = Math.max(old * factor, minLr);
            if (old - reduced > eps) group.setLr(reduced);   // changes smaller than eps are ignored
        }
    }

    /** Epochs seen so far. */
    public int epoch() {
        return epoch;
    }

    /** The best metric so far. */
    public double best() {
        return best;
    }

    /** ReduceLROnPlateau's settings, with PyTorch's defaults. */
    public static final class Builder {

        private Mode mode = Mode.MIN;
        private double factor = 0.1;
        private int patience = 10;
        private double threshold = 1e-4;
        private ThresholdMode thresholdMode = ThresholdMode.REL;
        private int cooldown;
        private double minLr;
        private double eps = 1e-8;

        private Builder() {
        }

        public Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        /** The learning rate is multiplied by this on a plateau (default 0.1). */
        public Builder factor(double factor) {
            this.factor = factor;
            return this;
        }

        /** Epochs without improvement that are tolerated (default 10). */
        public Builder patience(int patience) {
            this.patience = patience;
            return this;
        }

        /** How much better a metric must be to count as an improvement (default 1e-4, relative). */
        public Builder threshold(double threshold, ThresholdMode thresholdMode) {
            this.threshold = threshold;
            this.thresholdMode = thresholdMode;
            return this;
        }

        /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
        public Builder cooldown(int cooldown) {
            this.cooldown = cooldown;
            return this;
        }

        /** The learning rate never goes below this (default 0). */
        public Builder minLr(double minLr) {
            this.minLr = minLr;
            return this;
        }

        /** Reductions smaller than this are skipped (default 1e-8). */
        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        public ReduceLROnPlateau build(Optimizer optimizer) {
            return new ReduceLROnPlateau(optimizer, this);
        }
    }
}
