package io.jgrad.optimizers;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs:
 * {@code lr_e = lr_0·gamma^⌊e / stepSize⌋}.
 */
public final class StepLR extends LRScheduler {

    private final int stepSize;
    private final double gamma;

    /** PyTorch's default {@code gamma = 0.1}. */
    public StepLR(Optimizer optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize < 1) throw new IllegalArgumentException("StepLR: stepSize must be >= 1, got " + stepSize);
        if (!(gamma >= 0)) throw new IllegalArgumentException("StepLR: gamma must be >= 0, got " + gamma);
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    @Override
    protected double nextLr(int i, ParamGroup group) {
        return epoch() % stepSize == 0 ? group.lr() * gamma : group.lr();
    }
}
