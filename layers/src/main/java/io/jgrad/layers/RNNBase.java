package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@link RNN}, {@link LSTM} and {@link GRU} share: PyTorch's parameters ({@code weight_ih_l{k}}
 * {@code [gates·H, in]}, {@code weight_hh_l{k}} {@code [gates·H, H]}, {@code bias_ih_l{k}},
 * {@code bias_hh_l{k}} {@code [gates·H]}), their initialisation U(-1/√H, 1/√H), and the loop over layers and
 * time steps, which the modules and their functional forms ({@link LSTM#lstm} etc.) both run.
 *
 * <p>Shapes, with L steps, batch N and hidden size H: input {@code [L, N, inputSize]}, or {@code [N, L,
 * inputSize]} with {@code batchFirst}; output the same with H features; initial and final states
 * {@code [numLayers, N, H]} either way, as in PyTorch.
 */
public abstract sealed class RNNBase extends Module permits RNN, LSTM, GRU {

    /** The recurrence, as PyTorch's {@code RNNBase} modes; {@code gates} blocks of H rows stack in each weight. */
    public enum Mode {
        RNN_TANH("RNN", 1), RNN_RELU("RNN", 1), LSTM("LSTM", 4), GRU("GRU", 3);

        final String layerName;
        final int gates;

        Mode(String layerName, int gates) {
            this.layerName = layerName;
            this.gates = gates;
        }
    }

    /** One layer's weights; both biases are null in a layer without bias. */
    public record LayerWeights(Tensor weightIh, Tensor weightHh, Tensor biasIh, Tensor biasHh) {
    }

    /**
     * A forward pass: {@code output} is the last layer's hidden state at every step; {@code hN} (and
     * {@code cN}, LSTM only, else null) every layer's state after the last step, {@code [numLayers, N, H]}.
     */
    public record Output(Tensor output, Tensor hN, Tensor cN) {
    }

    private final Mode mode;
    private final int inputSize;
    private final int hiddenSize;
    private final boolean bias;
    private final boolean batchFirst;
    private final double dropout;
    private final List<LayerWeights> weights = new ArrayList<>();

    RNNBase(Mode mode, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout) {
        if (inputSize < 1 || hiddenSize < 1 || numLayers < 1) {
            throw new IllegalArgumentException(mode.layerName + ": inputSize, hiddenSize and numLayers must be positive, got "
                    + inputSize + ", " + hiddenSize + ", " + numLayers);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException(mode.layerName + ": dropout must be in [0, 1), got " + dropout);
        this.mode = mode;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.bias = bias;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        double bound = 1 / Math.sqrt(hiddenSize);
        int rows = mode.gates * hiddenSize;
        for (int k = 0; k < numLayers; k++) {
            Tensor wIh = registerParameter("weight_ih_l" + k, Init.uniform(bound, rows, k == 0 ? inputSize : hiddenSize));
            Tensor wHh = registerParameter("weight_hh_l" + k, Init.uniform(bound, rows, hiddenSize));
            Tensor bIh = bias ? registerParameter("bias_ih_l" + k, Init.uniform(bound, rows)) : null;
            Tensor bHh = bias ? registerParameter("bias_hh_l" + k, Init.uniform(bound, rows)) : null;
            weights.add(new LayerWeights(wIh, wHh, bIh, bHh));
        }
    }

    /** The output sequence, starting from zero states. */
    @Override
    public Tensor forward(Tensor input) {
        return run(input, null, null).output();
    }

    /** Whether input and output are {@code [N, L, ·]} rather than {@code [L, N, ·]}. */
    public boolean batchFirst() {
        return batchFirst;
    }

    /** This module's parameters, layer by layer. */
    public List<LayerWeights> weights() {
        return List.copyOf(weights);
    }

    final Output run(Tensor input, Tensor h0, Tensor c0) {
        return run(mode, input, h0, c0, weights, batchFirst, dropout, isTraining());
    }

    /**
     * Runs {@code layers} over {@code input}; null {@code h0}/{@code c0} mean zeros. Dropout with probability
     * {@code dropout} is applied to each layer's output sequence except the last one's, in training only.
     */
    static Output run(Mode mode, Tensor input, Tensor h0, Tensor c0, List<LayerWeights> layers, boolean batchFirst, double dropout, boolean training) {
        checkWeights(mode, layers);
        int hidden = layers.get(0).weightHh().shape(1), in = layers.get(0).weightIh().shape(1);
        String layout = batchFirst ? "[N, L, " + in + "] (batchFirst)" : "[L, N, " + in + "]";
        if (input.rank() != 3 || input.shape(2) != in || input.shape(batchFirst ? 1 : 0) == 0) {
            throw new IllegalArgumentException(mode.layerName + ": expected input " + layout + " with at least one step, got shape " + Shapes.str(input.shape()));
        }
        // Time-major, so that a step is select(0, t) and the steps stack back along dim 0.
        Tensor x = batchFirst ? input.transpose(0, 1) : input;
        int steps = x.shape(0);
        int[] stateShape = {layers.size(), x.shape(1), hidden};
        Tensor h0s = initialState(mode, "h0", h0, stateShape, x);
        Tensor c0s = mode == Mode.LSTM ? initialState(mode, "c0", c0, stateShape, x) : null;
        if (mode != Mode.LSTM && c0 != null) throw new IllegalArgumentException(mode.layerName + ": c0 is for LSTM only");

        Tensor[] hN = new Tensor[layers.size()], cN = new Tensor[layers.size()];
        for (int k = 0; k < layers.size(); k++) {
            LayerWeights w = layers.get(k);
            if (k > 0) x = Dropout.dropout(x, dropout, training, null);
            // Every step's input projection in one matmul: only h·W_hhᵀ has to wait for the previous step.
            // (The first layer's projection runs on the input as given, so that batch-first input is not copied.)
            // Where both biases only add to the gates (every mode but GRU, whose b_hn sits inside r⊙(...)), b_hh
            // joins b_ih in that one projection instead of being added, and summed back, at every step.
            boolean foldBias = mode != Mode.GRU && w.biasHh() != null;
            Tensor biasIn = foldBias ? w.biasIh().add(w.biasHh()) : w.biasIh(), biasHidden = foldBias ? null : w.biasHh();
            Tensor xw = k == 0 && batchFirst ? input.linear(w.weightIh(), biasIn).transpose(0, 1) : x.linear(w.weightIh(), biasIn);
            switch (mode) {
                // LSTM and GRU: the layer is one node over the whole sequence (Tensor.lstmSequence / gruSequence)
                case LSTM -> {                                                    // i, f, g, o; c' = f⊙c + i⊙g, h' = o⊙tanh(c')
                    Tensor hc = Tensor.lstmSequence(xw, h0s.select(0, k), c0s.select(0, k), w.weightHh());
                    x = hc.select(0, 0);
                    cN[k] = hc.select(0, 1).select(0, steps - 1);
                }
                // r, z, n; r scales W_hn h + b_hn, not h: PyTorch's (and cuDNN's) variant of Cho et al.
                case GRU -> x = Tensor.gruSequence(xw, h0s.select(0, k), w.weightHh(), biasHidden);   // h' = (1-z)⊙n + z⊙h
                case RNN_TANH, RNN_RELU -> {
                    Tensor h = h0s.select(0, k);
                    Tensor[] hs = new Tensor[steps];
                    for (int t = 0; t < steps; t++) {
                        Tensor pre = xw.select(0, t).add(h.linear(w.weightHh(), biasHidden));  // W_ih x + b_ih + W_hh h + b_hh
                        h = mode == Mode.RNN_TANH ? pre.tanh() : pre.relu();
                        hs[t] = h;
                    }
                    x = Tensor.stack(0, hs);
                }
            }
            hN[k] = x.select(0, steps - 1);
        }
        return new Output(batchFirst ? x.transpose(0, 1) : x, Tensor.stack(0, hN), c0s == null ? null : Tensor.stack(0, cN));
    }

    private static Tensor initialState(Mode mode, String name, Tensor given, int[] shape, Tensor x) {
        if (given == null) return Tensor.of(x.data().newZeros(shape));
        if (!Arrays.equals(given.shape(), shape)) {
            throw new IllegalArgumentException(mode.layerName + ": expected " + name + " of shape " + Shapes.str(shape)
                    + " [num_layers, batch, hidden_size], got " + Shapes.str(given.shape()));
        }
        return given;
    }

    private static void checkWeights(Mode mode, List<LayerWeights> layers) {
        if (layers.isEmpty()) throw new IllegalArgumentException(mode.layerName + ": needs the weights of at least one layer");
        // H from the rows of weight_ih_l0 ([gates·H, in]), so that a wrong weight_hh is the one named.
        int hidden = layers.get(0).weightIh().shape(0) / mode.gates, rows = mode.gates * hidden;
        for (int k = 0; k < layers.size(); k++) {
            LayerWeights w = layers.get(k);
            int in = k == 0 ? w.weightIh().shape(-1) : hidden;
            checkShape(mode, "weight_ih_l" + k, w.weightIh(), rows, in);
            checkShape(mode, "weight_hh_l" + k, w.weightHh(), rows, hidden);
            if ((w.biasIh() == null) != (w.biasHh() == null)) {
                throw new IllegalArgumentException(mode.layerName + ": layer " + k + " has one bias but not the other");
            }
            if (w.biasIh() != null) {
                checkShape(mode, "bias_ih_l" + k, w.biasIh(), rows);
                checkShape(mode, "bias_hh_l" + k, w.biasHh(), rows);
            }
        }
    }

    private static void checkShape(Mode mode, String name, Tensor t, int... expected) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(mode.layerName + ": " + name + " has shape " + Shapes.str(t.shape()) + ", expected " + Shapes.str(expected));
        }
    }

    /** PyTorch's printout: sizes, then the arguments that differ from their defaults. */
    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
        if (weights.size() != 1) sb.append(", num_layers=").append(weights.size());
        if (mode == Mode.RNN_RELU) sb.append(", nonlinearity='relu'");
        if (!bias) sb.append(", bias=False");
        if (batchFirst) sb.append(", batch_first=True");
        if (dropout != 0) sb.append(", dropout=").append(dropout);
        return sb.toString();
    }
}
