package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** {@code x} where {@code x > 0}, else {@code negativeSlope·x} (PyTorch's default slope 0.01). */
public final class LeakyReLU extends Module {

    private final double negativeSlope;

    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double negativeSlope) {
        this.negativeSlope = negativeSlope;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.leakyRelu(negativeSlope);
    }

    @Override
    protected String extraRepr() {
        return "negative_slope=" + negativeSlope;
    }
}
