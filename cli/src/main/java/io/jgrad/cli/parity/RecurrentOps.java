package io.jgrad.cli.parity;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.Attention;
import io.jgrad.layers.GRU;
import io.jgrad.layers.LSTM;
import io.jgrad.layers.MultiheadAttention;
import io.jgrad.layers.RNN;
import io.jgrad.layers.RNNBase;
import io.jgrad.layers.TransformerEncoderLayer;
import io.jgrad.tensor.NDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fixture ops of the recurrent and attention layers. Each runs the layer's functional form, the code the
 * module itself runs, over the fixture's tensors, so that gradients reach the tensors the runner checks.
 */
final class RecurrentOps {

    private static final Set<String> RECURRENT_ATTRS = Set.of("batch_first", "num_layers", "hidden_size", "input_size", "bias",
            "dropout", "bidirectional", "proj_size", "nonlinearity");
    private static final Set<String> MHA_ATTRS = Set.of("num_heads", "embed_dim", "batch_first", "causal", "is_causal", "bias", "dropout",
            "add_bias_kv", "add_zero_attn", "kdim", "vdim", "need_weights", "average_attn_weights");

    private RecurrentOps() {
    }

    static void register(Map<String, OpCase> cases) {
        for (String op : List.of("lstm", "gru", "rnn_tanh", "rnn_relu")) cases.put(op, (in, a) -> recurrent(op, in, a));
        cases.put("multi_head_attention", RecurrentOps::multiHeadAttention);
        cases.put("scaled_dot_product_attention", RecurrentOps::scaledDotProductAttention);
        cases.put("transformer_encoder_layer", RecurrentOps::transformerEncoderLayer);
    }

    private static Tensor[] recurrent(String op, Map<String, Tensor> in, Attrs a) {
        a.requireOnly(op, RECURRENT_ATTRS);
        a.requireDefault(op, "bidirectional", false);
        a.requireDefault(op, "proj_size", 0);
        a.requireDefault(op, "dropout", 0); // dropout between layers is random: no fixture can pin it down
        if (op.startsWith("rnn_")) a.requireDefault(op, "nonlinearity", op.substring(4));
        List<RNNBase.LayerWeights> weights = new ArrayList<>();
        for (int k = 0; k < a.integer("num_layers", 1); k++) {
            weights.add(new RNNBase.LayerWeights(required(in, "weight_ih_l" + k), required(in, "weight_hh_l" + k), in.get("bias_ih_l" + k), in.get("bias_hh_l" + k)));
        }
        boolean hasBias = weights.get(0).biasIh() != null;
        if (a.bool("bias", true) != hasBias) throw new IllegalArgumentException(op + ": bias=" + a.bool("bias", true) + " but the fixture has " + (hasBias ? "" : "no ") + "bias tensors");
        int hidden = weights.get(0).weightHh().shape(1);
        if (a.has("hidden_size") && a.integer("hidden_size", 0) != hidden) {
            throw new IllegalArgumentException(op + ": hidden_size=" + a.integer("hidden_size", 0) + " but weight_hh_l0 is " + hidden + " wide");
        }
        boolean batchFirst = a.bool("batch_first", false);
        Tensor input = in.get("input"), h0 = in.get("h0");
        RNNBase.Output r = switch (op) {
            case "lstm" -> LSTM.lstm(input, h0, in.get("c0"), weights, batchFirst);
            case "gru" -> GRU.gru(input, h0, weights, batchFirst);
            case "rnn_tanh" -> RNN.rnn(input, h0, weights, RNN.Nonlinearity.TANH, batchFirst);
            case "rnn_relu" -> RNN.rnn(input, h0, weights, RNN.Nonlinearity.RELU, batchFirst);
            default -> throw new AssertionError(op);
        };
        return r.cN() == null ? new Tensor[] {r.output(), r.hN()} : new Tensor[] {r.output(), r.hN(), r.cN()};
    }

    private static Tensor[] multiHeadAttention(Map<String, Tensor> in, Attrs a) {
        String op = "multi_head_attention";
        a.requireOnly(op, MHA_ATTRS);
        a.requireDefault(op, "dropout", 0);
        a.requireDefault(op, "add_bias_kv", false);
        a.requireDefault(op, "add_zero_attn", false);
        Tensor query = in.get("query");
        int e = query.shape(-1);
        for (String dim : List.of("embed_dim", "kdim", "vdim")) a.requireDefault(op, dim, e);
        var weights = new MultiheadAttention.Weights(required(in, "in_proj_weight"), in.get("in_proj_bias"), required(in, "out_proj.weight"), in.get("out_proj.bias"));
        boolean causal = a.bool("causal", false) || a.bool("is_causal", false);
        return new Tensor[] {MultiheadAttention.multiHeadAttention(query, in.get("key"), in.get("value"), weights, a.integer("num_heads", 1),
                a.bool("batch_first", false), mask(in, "key_padding_mask"), mask(in, "attn_mask"), causal, false).output()};
    }

    private static Tensor[] scaledDotProductAttention(Map<String, Tensor> in, Attrs a) {
        String op = "scaled_dot_product_attention";
        a.requireOnly(op, Set.of("is_causal", "dropout_p", "scale", "enable_gqa"));
        a.requireDefault(op, "dropout_p", 0);
        a.requireDefault(op, "enable_gqa", false);
        NDArray mask = mask(in, "attn_mask");
        if (mask != null && !mask.dtype().isFloatingPoint()) throw new UnsupportedCase(op + ": boolean attn_mask is not supported (additive float masks are)");
        Tensor q = in.get("query"), k = in.get("key"), v = in.get("value");
        boolean causal = a.bool("is_causal", false);
        return new Tensor[] {a.has("scale") ? Attention.scaledDotProductAttention(q, k, v, mask, causal, a.number("scale", 0))
                : Attention.scaledDotProductAttention(q, k, v, mask, causal)};
    }

    /**
     * The module itself, its parameters loaded from the fixture's state dict tensors (every input but
     * {@code src}); so only {@code src} can have its gradient checked.
     */
    private static Tensor[] transformerEncoderLayer(Map<String, Tensor> in, Attrs a) {
        String op = "transformer_encoder_layer";
        a.requireOnly(op, Set.of("d_model", "nhead", "dim_feedforward", "dropout", "activation", "layer_norm_eps", "batch_first", "norm_first", "bias"));
        a.requireDefault(op, "layer_norm_eps", 1e-5);
        a.requireDefault(op, "bias", true);
        a.requireDefault(op, "dropout", 0);
        var activation = switch (a.string("activation", "relu")) {
            case "relu" -> TransformerEncoderLayer.Activation.RELU;
            case "gelu" -> TransformerEncoderLayer.Activation.GELU;
            default -> throw new UnsupportedCase(op + ": activation=" + a.string("activation", ""));
        };
        var layer = new TransformerEncoderLayer(a.integer("d_model", 0), a.integer("nhead", 0), a.integer("dim_feedforward", 2048), 0, activation,
                a.bool("batch_first", false), a.bool("norm_first", false));
        Map<String, NDArray> state = new LinkedHashMap<>();
        in.forEach((name, t) -> {
            if (!name.equals("src")) state.put(name, t.data());
        });
        layer.loadStateDict(state);
        layer.eval();
        return new Tensor[] {layer.forward(in.get("src"))};
    }

    private static Tensor required(Map<String, Tensor> in, String name) {
        Tensor t = in.get(name);
        if (t == null) throw new IllegalArgumentException("fixture has no tensor '" + name + "'");
        return t;
    }

    private static NDArray mask(Map<String, Tensor> in, String name) {
        return in.containsKey(name) ? in.get(name).data() : null;
    }
}
