package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

import java.util.List;

/**
 * Gated recurrent unit (Cho et al. 2014), as {@code torch.nn.GRU}: per step, with the gates stacked in
 * PyTorch's order r, z, n,
 * <pre>
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))
 *   h' = (1 - z)⊙n + z⊙h
 * </pre>
 * Shapes and parameters: see {@link RNNBase}.
 */
public final class GRU extends RNNBase {

    public GRU(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false, 0);
    }

    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout) {
        super(Mode.GRU, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout);
    }

    /** Runs from initial state {@code h0} ({@code [numLayers, N, H]}; null means zeros). */
    public Output forward(Tensor input, Tensor h0) {
        return run(input, h0, null);
    }

    /** The functional form over any weights (no dropout); the module runs the same code with its own. */
    public static Output gru(Tensor input, Tensor h0, List<LayerWeights> weights, boolean batchFirst) {
        return run(Mode.GRU, input, h0, null, weights, batchFirst, 0, false);
    }
}
