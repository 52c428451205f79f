package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** Binary cross-entropy of probabilities, {@link Losses#binaryCrossEntropy}; {@code weight} may be null. */
public record BCELoss(Tensor weight, Reduction reduction) implements Loss {

    public BCELoss() {
        this(null, Reduction.MEAN);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.binaryCrossEntropy(input, target, weight, reduction);
    }
}
