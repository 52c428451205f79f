package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** {@code x - log Σ exp(x)} along {@code dim}, computed stably; feed it to {@link NLLLoss}. */
public final class LogSoftmax extends Module {

    private final int dim;

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        requireDim(input, dim);
        return input.logSoftmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
