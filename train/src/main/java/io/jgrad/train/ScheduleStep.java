package io.jgrad.train;

import io.jgrad.optimizers.LRScheduler;
import io.jgrad.optimizers.ReduceLROnPlateau;

/** Steps a learning-rate schedule once per epoch (PyTorch's usual placement, after validation). */
public final class ScheduleStep implements Callback {

    private final LRScheduler scheduler;
    private final ReduceLROnPlateau plateau;
    private final String monitor;

    public ScheduleStep(LRScheduler scheduler) {
        this.scheduler = scheduler;
        this.plateau = null;
        this.monitor = null;
    }

    /** Steps {@code plateau} with the epoch's value of {@code monitor} (e.g. {@code val_loss}). */
    public ScheduleStep(ReduceLROnPlateau plateau, String monitor) {
        new EpochMetrics(0, 0, 0, 0, 0, 0, 0).get(monitor);
        this.scheduler = null;
        this.plateau = plateau;
        this.monitor = monitor;
    }

    @Override
    public boolean afterEpoch(EpochMetrics metrics, Trainer trainer) {
        if (scheduler != null) scheduler.step();
        else plateau.step(metrics.get(monitor));
        return false;
    }
}
