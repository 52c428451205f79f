package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** Huber loss, quadratic below {@code delta} and linear above, {@link Losses#huberLoss}; PyTorch's default delta is 1. */
public record HuberLoss(Reduction reduction, double delta) implements Loss {

    public HuberLoss() {
        this(Reduction.MEAN, 1.0);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.huberLoss(input, target, delta, reduction);
    }
}
