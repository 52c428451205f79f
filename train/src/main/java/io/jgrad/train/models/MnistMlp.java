package io.jgrad.train.models;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.Linear;
import io.jgrad.layers.Module;

/**
 * A 784-128-10 multilayer perceptron with ReLU: PyTorch's {@code fc1 = Linear(784, 128); fc2 = Linear(128, 10)}
 * applied to the flattened image, so checkpoints interchange key for key.
 */
public final class MnistMlp extends Module {

    private final Linear fc1 = registerModule("fc1", new Linear(28 * 28, 128));
    private final Linear fc2 = registerModule("fc2", new Linear(128, 10));

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 2 || x.numel() / x.shape(0) != 28 * 28) {
            throw new IllegalArgumentException("MnistMlp: expected input [N, 1, 28, 28] or [N, 784], got shape " + io.jgrad.tensor.Shapes.str(x.shape()));
        }
        return fc2.forward(fc1.forward(x.flatten(1)).relu());
    }
}
