package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** Mean squared error, {@link Losses#mseLoss}. */
public record MSELoss(Reduction reduction) implements Loss {

    public MSELoss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.mseLoss(input, target, reduction);
    }
}
