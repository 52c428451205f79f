package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/**
 * {@code y = x·Wᵀ + b} over the last dim, with {@code weight [out, in]} and {@code bias [out]}. Initialised as
 * PyTorch does: weight Kaiming-uniform with a = √5 (bound 1/√in), bias U(-1/√in, 1/√in).
 */
public final class Linear extends Module {

    private final int inFeatures;
    private final int outFeatures;
    public final Tensor weight;
    public final Tensor bias;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("Linear: feature counts must be positive, got in=" + inFeatures + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", Init.defaultWeight(outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Init.defaultBias(this.weight.shape())) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() == 0 || input.shape(-1) != inFeatures) throw inputError(input, "[..., " + inFeatures + "]");
        return input.linear(weight, bias);
    }

    /** {@code relu(forward(input))} as one node ({@link Tensor#linearRelu}): on a GPU, the bias and the ReLU in one pass. */
    public Tensor forwardRelu(Tensor input) {
        if (input.rank() == 0 || input.shape(-1) != inFeatures) throw inputError(input, "[..., " + inFeatures + "]");
        return input.linearRelu(weight, bias);
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null);
    }
}
