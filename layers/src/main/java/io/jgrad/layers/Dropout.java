package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/**
 * Zeroes each element with probability {@code p} in training mode and scales the survivors by
 * {@code 1/(1-p)}, so the expected value is unchanged (inverted dropout); the identity in eval mode.
 */
public final class Dropout extends Module {

    private final double p;
    private final Generator generator;

    /** Draws its masks from {@link Init#generator()}. */
    public Dropout(double p) {
        this(p, null);
    }

    /** Draws its masks from {@code generator} (its own seeded stream). */
    public Dropout(double p, Generator generator) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        this.p = p;
        this.generator = generator;
    }

    @Override
    public Tensor forward(Tensor input) {
        return dropout(input, p, isTraining(), generator);
    }

    /**
     * The functional form, {@code F.dropout}, for layers that drop inside their own computation (between an
     * RNN's layers, on attention weights); {@code generator} null means {@link Init#generator()}.
     */
    public static Tensor dropout(Tensor input, double p, boolean training, Generator generator) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        if (!training || p == 0) return input;
        Generator g = generator != null ? generator : Init.generator();
        return input.mul(Tensor.of(NDArray.dropoutMask(g, input.dtype(), p, input.shape())));
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
