package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** Smooth L1, quadratic below {@code beta} and linear above, {@link Losses#smoothL1Loss}; PyTorch's default beta is 1. */
public record SmoothL1Loss(Reduction reduction, double beta) implements Loss {

    public SmoothL1Loss() {
        this(Reduction.MEAN, 1.0);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.smoothL1Loss(input, target, beta, reduction);
    }
}
