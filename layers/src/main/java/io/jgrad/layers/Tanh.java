package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** {@code tanh(x)} elementwise. */
public final class Tanh extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return input.tanh();
    }
}
