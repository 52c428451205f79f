package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** {@code 1 / (1 + e^-x)} elementwise. */
public final class Sigmoid extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return input.sigmoid();
    }
}
