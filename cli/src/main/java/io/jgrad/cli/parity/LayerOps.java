package io.jgrad.cli.parity;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.BatchNorm;
import io.jgrad.layers.LayerNorm;
import io.jgrad.layers.Losses;
import io.jgrad.layers.Reduction;
import io.jgrad.tensor.NDArray;

import java.util.Map;
import java.util.Set;

/**
 * Fixture ops of the layers issue (normalisation and losses), each run through the functional API of
 * {@code io.jgrad.layers} as a user would call it. Optional tensors (class weights, {@code pos_weight}) come as
 * inputs when the fixture has them.
 */
final class LayerOps {

    private LayerOps() {
    }

    static void register(Map<String, OpCase> cases) {
        cases.put("batch_norm", OpCase.withFixture((in, a, fixture) -> {
            a.requireOnly("batch_norm", Set.of("training", "momentum", "eps"));
            requireInputs("batch_norm", in, Set.of("input", "weight", "bias"));
            boolean training = a.bool("training", false);
            NDArray runningMean = fixture.has("running_mean") ? fixture.tensor("running_mean") : null;
            NDArray runningVar = fixture.has("running_var") ? fixture.tensor("running_var") : null;
            Tensor out = BatchNorm.batchNorm(in.get("input"), runningMean, runningVar, in.get("weight"), in.get("bias"),
                    training, a.number("momentum", 0.1), a.number("eps", 1e-5));
            if (fixture.has("running_mean_after")) fixture.expect("running_mean_after", runningMean);
            if (fixture.has("running_var_after")) fixture.expect("running_var_after", runningVar);
            return out(out);
        }));
        cases.put("layer_norm", (in, a) -> {
            a.requireOnly("layer_norm", Set.of("normalized_shape", "eps"));
            requireInputs("layer_norm", in, Set.of("input", "weight", "bias"));
            return out(LayerNorm.layerNorm(in.get("input"), a.dims("normalized_shape"), in.get("weight"), in.get("bias"), a.number("eps", 1e-5)));
        });
        cases.put("cross_entropy", (in, a) -> {
            a.requireOnly("cross_entropy", Set.of("reduction", "label_smoothing", "ignore_index"));
            requireInputs("cross_entropy", in, Set.of("input", "target", "weight"));
            return out(Losses.crossEntropy(in.get("input"), in.get("target"), in.get("weight"), ignoreIndex(a), reduction(a), a.number("label_smoothing", 0)));
        });
        cases.put("nll_loss", (in, a) -> {
            a.requireOnly("nll_loss", Set.of("reduction", "ignore_index"));
            requireInputs("nll_loss", in, Set.of("input", "target", "weight"));
            return out(Losses.nllLoss(in.get("input"), in.get("target"), in.get("weight"), ignoreIndex(a), reduction(a)));
        });
        cases.put("mse_loss", (in, a) -> {
            a.requireOnly("mse_loss", Set.of("reduction"));
            return out(Losses.mseLoss(input(in, "mse_loss"), in.get("target"), reduction(a)));
        });
        cases.put("l1_loss", (in, a) -> {
            a.requireOnly("l1_loss", Set.of("reduction"));
            return out(Losses.l1Loss(input(in, "l1_loss"), in.get("target"), reduction(a)));
        });
        cases.put("smooth_l1_loss", (in, a) -> {
            a.requireOnly("smooth_l1_loss", Set.of("reduction", "beta"));
            return out(Losses.smoothL1Loss(input(in, "smooth_l1_loss"), in.get("target"), a.number("beta", 1.0), reduction(a)));
        });
        cases.put("huber_loss", (in, a) -> {
            a.requireOnly("huber_loss", Set.of("reduction", "delta"));
            return out(Losses.huberLoss(input(in, "huber_loss"), in.get("target"), a.number("delta", 1.0), reduction(a)));
        });
        cases.put("binary_cross_entropy", (in, a) -> {
            a.requireOnly("binary_cross_entropy", Set.of("reduction"));
            requireInputs("binary_cross_entropy", in, Set.of("input", "target", "weight"));
            return out(Losses.binaryCrossEntropy(in.get("input"), in.get("target"), in.get("weight"), reduction(a)));
        });
        cases.put("binary_cross_entropy_with_logits", (in, a) -> {
            a.requireOnly("binary_cross_entropy_with_logits", Set.of("reduction"));
            requireInputs("binary_cross_entropy_with_logits", in, Set.of("input", "target", "weight", "pos_weight"));
            return out(Losses.binaryCrossEntropyWithLogits(in.get("input"), in.get("target"), in.get("weight"), in.get("pos_weight"), reduction(a)));
        });
    }

    private static Tensor[] out(Tensor... outputs) {
        return outputs;
    }

    /** The {@code input} of a two-tensor loss, after checking the fixture passes nothing else. */
    private static Tensor input(Map<String, Tensor> in, String op) {
        requireInputs(op, in, Set.of("input", "target"));
        return in.get("input");
    }

    /** Throws {@link UnsupportedCase} for an input tensor the case would otherwise silently leave out. */
    private static void requireInputs(String op, Map<String, Tensor> in, Set<String> known) {
        for (String name : in.keySet()) {
            if (!known.contains(name)) throw new UnsupportedCase(op + ": input '" + name + "' is not supported");
        }
    }

    private static Reduction reduction(Attrs a) {
        return Reduction.of(a.string("reduction", "mean"));
    }

    private static int ignoreIndex(Attrs a) {
        return a.integer("ignore_index", Losses.DEFAULT_IGNORE_INDEX);
    }
}
