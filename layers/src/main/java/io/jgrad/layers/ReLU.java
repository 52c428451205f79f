package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** {@code max(x, 0)} elementwise. */
public final class ReLU extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return input.relu();
    }
}
