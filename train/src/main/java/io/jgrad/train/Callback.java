package io.jgrad.train;

/** Something that runs after every epoch of {@link Trainer#fit}: a checkpoint, a schedule, a stopping rule. */
@FunctionalInterface
public interface Callback {

    /** Called after the epoch's validation; returns true to stop training after this epoch. */
    boolean afterEpoch(EpochMetrics metrics, Trainer trainer) throws Exception;
}
