package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** {@link BatchNorm} of {@code [N, C, H, W]} images, per channel C (statistics over N, H and W). */
public final class BatchNorm2d extends BatchNorm {

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** {@code momentum} null: cumulative moving average. */
    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    void checkInput(Tensor input) {
        String expected = "[N, " + numFeatures + ", H, W]";
        requireRank(input, 4, expected);
        requireSize(input, 1, numFeatures, expected);
    }
}
