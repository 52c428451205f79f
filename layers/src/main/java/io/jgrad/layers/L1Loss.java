package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** Mean absolute error, {@link Losses#l1Loss}. */
public record L1Loss(Reduction reduction) implements Loss {

    public L1Loss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.l1Loss(input, target, reduction);
    }
}
