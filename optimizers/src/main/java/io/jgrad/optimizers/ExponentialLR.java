package io.jgrad.optimizers;

/** Multiplies the learning rate by {@code gamma} every epoch: {@code lr_e = lr_0·gamma^e}. */
public final class ExponentialLR extends LRScheduler {

    private final double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer);
        if (!(gamma >= 0)) throw new IllegalArgumentException("ExponentialLR: gamma must be >= 0, got " + gamma);
        this.gamma = gamma;
    }

    @Override
    protected double nextLr(int i, ParamGroup group) {
        return group.lr() * gamma;
    }
}
