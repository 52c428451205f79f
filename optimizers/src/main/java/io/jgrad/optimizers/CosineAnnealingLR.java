package io.jgrad.optimizers;

/**
 * Cosine annealing (Loshchilov and Hutter, 2017, without restarts): the learning rate follows half a cosine
 * from the base rate {@code η_max} down to {@code etaMin} over {@code tMax} epochs, then back up, and so on:
 *
 * <pre>
 * η_e = etaMin + (η_max − etaMin)·(1 + cos(π·e/tMax))/2
 * </pre>
 *
 * Computed like PyTorch, recursively from the current rate (so it composes with other changes to it):
 * {@code η_e = etaMin + (η_{e-1} − etaMin)·(1 + cos(πe/tMax))/(1 + cos(π(e−1)/tMax))}, except at the epochs
 * just past a minimum, where that ratio is 0/0 and the step {@code (η_max − etaMin)(1 − cos(π/tMax))/2} is added.
 */
public final class CosineAnnealingLR extends LRScheduler {

    private final int tMax;
    private final double etaMin;

    /** PyTorch's default {@code etaMin = 0}. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax < 1) throw new IllegalArgumentException("CosineAnnealingLR: tMax must be >= 1, got " + tMax);
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    @Override
    protected double nextLr(int i, ParamGroup group) {
        int e = epoch();
        double lr = group.lr();
        if (Math.floorMod(e - 1 - tMax, 2 * tMax) == 0) {
            return lr + (baseLr(i) - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
        }
        return (1 + Math.cos(Math.PI * e / tMax)) / (1 + Math.cos(Math.PI * (e - 1) / tMax)) * (lr - etaMin) + etaMin;
    }
}
