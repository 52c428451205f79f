package io.jgrad.train.models;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.Linear;
import io.jgrad.layers.Module;
import io.jgrad.tensor.Shapes;

/**
 * A multilayer perceptron with one ReLU hidden layer on the flattened input: PyTorch's
 * {@code fc1 = Linear(in, hidden); fc2 = Linear(hidden, classes)}, so checkpoints interchange key for key.
 * For 28x28 digits it is the 784-128-10 MLP.
 */
public final class Mlp extends Module {

    private final int inFeatures;
    private final Linear fc1;
    private final Linear fc2;

    public Mlp(int inFeatures, int hidden, int classes) {
        this.inFeatures = inFeatures;
        this.fc1 = registerModule("fc1", new Linear(inFeatures, hidden));
        this.fc2 = registerModule("fc2", new Linear(hidden, classes));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 2 || x.shape(0) == 0 || x.numel() / x.shape(0) != inFeatures) {
            throw new IllegalArgumentException("Mlp: expected input [N, ...] with " + inFeatures + " features per example, got shape " + Shapes.str(x.shape()));
        }
        return fc2.forward(fc1.forward(x.flatten(1)).relu());
    }
}
