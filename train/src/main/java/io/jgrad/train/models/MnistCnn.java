package io.jgrad.train.models;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.Conv2d;
import io.jgrad.layers.Linear;
import io.jgrad.layers.Module;
import io.jgrad.tensor.spi.PoolParams;

/**
 * The reference ConvNet for 28x28 digits, parameter for parameter the PyTorch module
 *
 * <pre>
 * conv1 = Conv2d(1, 32, 3, padding=1); conv2 = Conv2d(32, 64, 3, padding=1)
 * fc1 = Linear(64*7*7, 128); fc2 = Linear(128, 10)
 * x = max_pool2d(relu(conv1(x)), 2); x = max_pool2d(relu(conv2(x)), 2)
 * return fc2(relu(fc1(flatten(x, 1))))
 * </pre>
 *
 * so that {@code state_dict()} keys are {@code conv1.weight, conv1.bias, conv2.weight, conv2.bias,
 * fc1.weight, fc1.bias, fc2.weight, fc2.bias} in both engines. Input {@code [N, 1, 28, 28]}, output logits
 * {@code [N, 10]}. Each convolution runs with its ReLU and max pooling in one node ({@link Conv2d#forwardReluMaxPool}):
 * the same values and gradients as {@code max_pool2d(relu(conv(x)), 2)}, without keeping the full-size activations
 * for the backward pass (measured in docs/BENCHMARKS.md); fc1 and its ReLU are one node too ({@link Linear#forwardRelu}).
 */
public final class MnistCnn extends Module {

    private static final PoolParams POOL = PoolParams.of(2, 2, 0);

    private final Conv2d conv1 = registerModule("conv1", new Conv2d(1, 32, 3, 1, 1));
    private final Conv2d conv2 = registerModule("conv2", new Conv2d(32, 64, 3, 1, 1));
    private final Linear fc1 = registerModule("fc1", new Linear(64 * 7 * 7, 128));
    private final Linear fc2 = registerModule("fc2", new Linear(128, 10));

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.shape(1) != 1 || x.shape(2) != 28 || x.shape(3) != 28) {
            throw new IllegalArgumentException("MnistCnn: expected input [N, 1, 28, 28], got shape " + io.jgrad.tensor.Shapes.str(x.shape()));
        }
        Tensor h = conv1.forwardReluMaxPool(x, POOL);
        h = conv2.forwardReluMaxPool(h, POOL);
        return fc2.forward(fc1.forwardRelu(h.flatten(1)));
    }
}
