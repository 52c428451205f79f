package io.jgrad.optimizers;

/**
 * Linear warm-up: the learning rate starts at {@code startFactor·lr} and rises linearly to {@code lr} over
 * {@code warmupSteps} epochs (or steps, when {@link #step()} is called per batch), then stays there. PyTorch's
 * {@code LinearLR} with {@code end_factor = 1}: {@code lr_e = lr·(startFactor + (1 − startFactor)·min(e, warmupSteps)/warmupSteps)},
 * computed recursively as PyTorch does.
 */
public final class LinearWarmup extends LRScheduler {

    private final double startFactor;
    private final int warmupSteps;

    /** PyTorch's defaults: {@code startFactor = 1/3, warmupSteps (total_iters) = 5}. */
    public LinearWarmup(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 5);
    }

    public LinearWarmup(Optimizer optimizer, double startFactor, int warmupSteps) {
        super(optimizer);
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("LinearWarmup: startFactor must be in (0, 1], got " + startFactor);
        }
        if (warmupSteps < 1) throw new IllegalArgumentException("LinearWarmup: warmupSteps must be >= 1, got " + warmupSteps);
        this.startFactor = startFactor;
        this.warmupSteps = warmupSteps;
        for (ParamGroup group : optimizer.paramGroups()) group.setLr(group.lr() * startFactor);   // epoch 0
    }

    @Override
    protected double nextLr(int i, ParamGroup group) {
        int e = epoch();
        if (e > warmupSteps) return group.lr();
        // The ratio of lr_e to lr_{e-1}, both on the line from startFactor to 1.
        return group.lr() * (1 + (1 - startFactor) / (warmupSteps * startFactor + (e - 1) * (1 - startFactor)));
    }
}
