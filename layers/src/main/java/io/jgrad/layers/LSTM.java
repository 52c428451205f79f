package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

import java.util.List;

/**
 * Long short-term memory (Hochreiter and Schmidhuber 1997), as {@code torch.nn.LSTM}: per step, with the
 * gates stacked in PyTorch's order i, f, g, o,
 * <pre>
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
 *   c' = f⊙c + i⊙g                           h' = o⊙tanh(c')
 * </pre>
 * Shapes and parameters: see {@link RNNBase}.
 */
public final class LSTM extends RNNBase {

    public LSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false, 0);
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout) {
        super(Mode.LSTM, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout);
    }

    /** Runs from initial states {@code h0} and {@code c0} ({@code [numLayers, N, H]}; null means zeros). */
    public Output forward(Tensor input, Tensor h0, Tensor c0) {
        return run(input, h0, c0);
    }

    /** The functional form over any weights (no dropout); the module runs the same code with its own. */
    public static Output lstm(Tensor input, Tensor h0, Tensor c0, List<LayerWeights> weights, boolean batchFirst) {
        return run(Mode.LSTM, input, h0, c0, weights, batchFirst, 0, false);
    }
}
