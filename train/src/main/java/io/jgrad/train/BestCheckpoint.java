package io.jgrad.train;

import java.nio.file.Path;
import java.util.Map;

/** Saves the model (and the optimiser state) whenever the monitored metric reaches a new best. */
public final class BestCheckpoint implements Callback {

    private final Path file;
    private final String monitor;
    private final boolean maximize;
    private double best;

    /**
     * For a resumed run: the best so far is the one {@code file} already records (when it exists and records
     * {@code monitor}), so that a worse epoch after resuming does not overwrite a better model. A fresh
     * tracker started from -inf did.
     */
    public static BestCheckpoint resuming(Path file, String monitor, boolean maximize) throws java.io.IOException {
        BestCheckpoint b = new BestCheckpoint(file, monitor, maximize);
        if (java.nio.file.Files.isRegularFile(file)) {
            Double recorded = Checkpoints.readInfo(file).metrics().get(monitor);
            if (recorded != null && !recorded.isNaN()) b.best = recorded;
        }
        return b;
    }

    public BestCheckpoint(Path file, String monitor, boolean maximize) {
        new EpochMetrics(0, 0, 0, 0, 0, 0, 0).get(monitor);
        this.file = file;
        this.monitor = monitor;
        this.maximize = maximize;
        this.best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    @Override
    public boolean afterEpoch(EpochMetrics m, Trainer trainer) throws Exception {
        double value = m.get(monitor);
        if (Double.isNaN(value) || !(maximize ? value > best : value < best)) return false;
        best = value;
        Checkpoints.save(file, trainer.model(), trainer.optimizer(), trainer.checkpointInfo(m.epoch(),
                Map.of("train_loss", m.trainLoss(), "train_accuracy", m.trainAccuracy(), "val_loss", m.validationLoss(), "val_accuracy", m.validationAccuracy())));
        trainer.log().println("saved best model (" + monitor + " " + value + ") to " + file);
        return false;
    }

    public double best() {
        return best;
    }
}
