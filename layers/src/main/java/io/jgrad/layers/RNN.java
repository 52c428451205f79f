package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

import java.util.List;

/**
 * The Elman recurrent network, as {@code torch.nn.RNN}: per step {@code h' = act(W_ih x + b_ih + W_hh h +
 * b_hh)} with {@code act} tanh (the default) or relu. Shapes and parameters: see {@link RNNBase}.
 */
public final class RNN extends RNNBase {

    public enum Nonlinearity {
        TANH(Mode.RNN_TANH), RELU(Mode.RNN_RELU);

        final Mode mode;

        Nonlinearity(Mode mode) {
            this.mode = mode;
        }
    }

    public RNN(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, Nonlinearity.TANH, true, false, 0);
    }

    public RNN(int inputSize, int hiddenSize, int numLayers, Nonlinearity nonlinearity, boolean bias, boolean batchFirst, double dropout) {
        super(nonlinearity.mode, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout);
    }

    /** Runs from initial state {@code h0} ({@code [numLayers, N, H]}; null means zeros). */
    public Output forward(Tensor input, Tensor h0) {
        return run(input, h0, null);
    }

    /** The functional form over any weights (no dropout); the module runs the same code with its own. */
    public static Output rnn(Tensor input, Tensor h0, List<LayerWeights> weights, Nonlinearity nonlinearity, boolean batchFirst) {
        return run(nonlinearity.mode, input, h0, null, weights, batchFirst, 0, false);
    }
}
