package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/**
 * Gaussian error linear unit (Hendrycks and Gimpel 2016), {@code x·Φ(x)}, or with {@code approximate = "tanh"}
 * PyTorch's {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}.
 */
public final class GELU extends Module {

    private final String approximate;

    public GELU() {
        this("none");
    }

    /** {@code approximate}: {@code "none"} (exact) or {@code "tanh"}, as PyTorch. */
    public GELU(String approximate) {
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new IllegalArgumentException("GELU: approximate must be 'none' or 'tanh', got '" + approximate + "'");
        }
        this.approximate = approximate;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.gelu(approximate.equals("tanh"));
    }

    @Override
    protected String extraRepr() {
        return "approximate='" + approximate + "'";
    }
}
