package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** {@link BatchNorm} of {@code [N, C]} features or {@code [N, C, L]} sequences, per channel C. */
public final class BatchNorm1d extends BatchNorm {

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** {@code momentum} null: cumulative moving average. */
    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    void checkInput(Tensor input) {
        String expected = "[N, " + numFeatures + "] or [N, " + numFeatures + ", L]";
        if (input.rank() != 2 && input.rank() != 3) throw inputError(input, expected);
        requireSize(input, 1, numFeatures, expected);
    }
}
