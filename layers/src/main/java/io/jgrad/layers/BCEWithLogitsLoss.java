package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/**
 * Binary cross-entropy of logits, stable for any logit, {@link Losses#binaryCrossEntropyWithLogits};
 * {@code weight} and {@code posWeight} (the positive class's extra weight, per class) may be null.
 */
public record BCEWithLogitsLoss(Tensor weight, Reduction reduction, Tensor posWeight) implements Loss {

    public BCEWithLogitsLoss() {
        this(null, Reduction.MEAN, null);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.binaryCrossEntropyWithLogits(input, target, weight, posWeight, reduction);
    }
}
