package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** {@code exp(x) / Σ exp(x)} along {@code dim}: each slice along it becomes a probability distribution. */
public final class Softmax extends Module {

    private final int dim;

    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        requireDim(input, dim);
        return input.softmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
