package io.jgrad.train;

/**
 * Stops training when a monitored metric has not improved by more than {@code minDelta} for
 * {@code patience} epochs in a row.
 */
public final class EarlyStopping implements Callback {

    private final String monitor;
    private final boolean maximize;
    private final int patience;
    private final double minDelta;
    private double best;
    private int badEpochs;

    /** {@code monitor}: a metric name such as {@code val_loss} (minimised) or {@code val_accuracy} (maximised when {@code maximize}). */
    public EarlyStopping(String monitor, boolean maximize, int patience, double minDelta) {
        if (patience < 0) throw new IllegalArgumentException("EarlyStopping: patience must be >= 0, got " + patience);
        if (minDelta < 0) throw new IllegalArgumentException("EarlyStopping: minDelta must be >= 0, got " + minDelta);
        new EpochMetrics(0, 0, 0, 0, 0, 0, 0).get(monitor); // rejects an unknown metric name now, not after an epoch
        this.monitor = monitor;
        this.maximize = maximize;
        this.patience = patience;
        this.minDelta = minDelta;
        this.best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    @Override
    public boolean afterEpoch(EpochMetrics metrics, Trainer trainer) {
        double value = metrics.get(monitor);
        boolean improved = maximize ? value > best + minDelta : value < best - minDelta;
        if (improved) {
            best = value;
            badEpochs = 0;
            return false;
        }
        badEpochs++;
        if (badEpochs > patience) {
            trainer.log().println("early stopping: " + monitor + " has not improved for " + badEpochs + " epochs (best " + best + ")");
            return true;
        }
        return false;
    }
}
