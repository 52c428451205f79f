package io.jgrad.optimizers;

import java.util.List;

/**
 * Changes the learning rate of every parameter group once per epoch, as PyTorch's {@code lr_scheduler}s do:
 * call {@link #step()} after each epoch's optimiser steps.
 *
 * <pre>{@code
 * LRScheduler schedule = new StepLR(opt, 30, 0.1);
 * for (int epoch = 0; epoch < 90; epoch++) {
 *     trainOneEpoch(opt);          // uses group.lr()
 *     schedule.step();
 * }
 * }</pre>
 *
 * Subclasses give the new learning rate from the current one ({@link #nextLr}), PyTorch's recursive form,
 * so that schedules compose with anything else that changes the learning rate.
 */
public abstract class LRScheduler {

    protected final Optimizer optimizer;
    private final double[] baseLrs;
    private int epoch;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        List<ParamGroup> groups = optimizer.paramGroups();
        this.baseLrs = new double[groups.size()];
        for (int i = 0; i < baseLrs.length; i++) baseLrs[i] = groups.get(i).lr();
    }

    /** The learning rate of group {@code i} for epoch {@link #epoch()}, from its current one. */
    protected abstract double nextLr(int i, ParamGroup group);

    /** Ends an epoch: moves to the next and sets every group's learning rate for it. */
    public void step() {
        epoch++;
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) groups.get(i).setLr(nextLr(i, groups.get(i)));
    }

    /** The epoch now running, counted from 0 (PyTorch's {@code last_epoch}). */
    public int epoch() {
        return epoch;
    }

    /** Group {@code i}'s learning rate when the schedule was made (PyTorch's {@code base_lrs}). */
    public double baseLr(int i) {
        return baseLrs[i];
    }

    /** Every group's learning rate now (PyTorch's {@code get_last_lr()}). */
    public double[] lastLr() {
        return optimizer.paramGroups().stream().mapToDouble(ParamGroup::lr).toArray();
    }
}
