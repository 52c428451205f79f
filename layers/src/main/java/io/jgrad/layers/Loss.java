package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** A loss: how far {@code input} (predictions, logits or log-probabilities) is from {@code target}. */
@FunctionalInterface
public interface Loss {
    Tensor forward(Tensor input, Tensor target);
}
