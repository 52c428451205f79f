package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/**
 * Cross-entropy of logits against class indices (or class probabilities), with optional class weights,
 * {@code ignoreIndex} and label smoothing, {@link Losses#crossEntropy}.
 */
public record CrossEntropyLoss(Tensor weight, int ignoreIndex, Reduction reduction, double labelSmoothing) implements Loss {

    public CrossEntropyLoss() {
        this(Reduction.MEAN, 0);
    }

    public CrossEntropyLoss(Reduction reduction, double labelSmoothing) {
        this(null, Losses.DEFAULT_IGNORE_INDEX, reduction, labelSmoothing);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.crossEntropy(input, target, weight, ignoreIndex, reduction, labelSmoothing);
    }
}
