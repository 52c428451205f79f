package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** Negative log-likelihood of class indices given log-probabilities, {@link Losses#nllLoss}; {@code weight} may be null. */
public record NLLLoss(Tensor weight, int ignoreIndex, Reduction reduction) implements Loss {

    public NLLLoss() {
        this(null, Losses.DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.nllLoss(input, target, weight, ignoreIndex, reduction);
    }
}
