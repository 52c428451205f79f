package io.jgrad.layers;

import io.jgrad.autograd.GradCheck;
import io.jgrad.autograd.GradMode;
import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.jgrad.layers.SeededLeaves.float64;
import static io.jgrad.layers.SeededLeaves.withParameters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformerEncoderLayerTest {

    private static TransformerEncoderLayer layer(long seed, TransformerEncoderLayer.Activation activation, boolean batchFirst, boolean normFirst) {
        return float64(seed, () -> new TransformerEncoderLayer(4, 2, 6, 0.1, activation, batchFirst, normFirst));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void gradientsMatchFiniteDifferencesInEvalMode(boolean normFirst) {
        var activation = normFirst ? TransformerEncoderLayer.Activation.GELU : TransformerEncoderLayer.Activation.RELU;
        TransformerEncoderLayer enc = layer(1, activation, normFirst, normFirst);
        enc.eval();
        Tensor src = new SeededLeaves(2).normal(2, 3, 4);
        GradCheck.check(in -> enc.forward(in[0]), withParameters(enc, src));
    }

    @Test
    void causalLayerIgnoresFuturePositions() {
        TransformerEncoderLayer enc = layer(3, TransformerEncoderLayer.Activation.GELU, true, false);
        enc.eval();
        Tensor src = new SeededLeaves(4).normal(2, 5, 4);
        Tensor before = enc.forward(src, null, null, true);
        src.data().select(1, 4).fill(2);
        Tensor after = enc.forward(src, null, null, true);
        assertTrue(before.narrow(1, 0, 4).data().allClose(after.narrow(1, 0, 4).data(), 0, 0));
        assertFalse(before.narrow(1, 4, 1).data().allClose(after.narrow(1, 4, 1).data(), 0, 1e-6));
    }

    @Test
    void dropoutActsInTrainingOnly() {
        TransformerEncoderLayer enc = layer(5, TransformerEncoderLayer.Activation.RELU, false, false);
        Tensor src = new SeededLeaves(6).normal(3, 2, 4);
        assertFalse(enc.forward(src).data().allClose(enc.forward(src).data(), 0, 1e-9), "two training passes drop differently");
        enc.eval();
        assertTrue(enc.forward(src).data().allClose(enc.forward(src).data(), 0, 0));
    }

    @Test
    void childrenAndStateDictKeysArePyTorchs() {
        TransformerEncoderLayer enc = new TransformerEncoderLayer(8, 2);
        assertEquals(List.of("self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2"), List.copyOf(enc.children().keySet()));
        assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
                "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"),
                List.copyOf(enc.stateDict().keySet()));
        assertEquals(2048, enc.linear1.weight.shape(0));
    }

    @Test
    void wrongModelWidthNamesTheLayer() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(8, 2).forward(Tensor.zeros(5, 2, 6)));
        assertEquals("TransformerEncoderLayer: expected input [N, L, 8] (batchFirst) or [L, N, 8], got shape [5, 2, 6]", e.getMessage());
    }

    /**
     * Without a gradient to record, LayerNorm runs the fused kernel, Linear adds its bias in place and self-attention
     * projects q, k and v in one product: the same values as the recorded composition, in float32 (the vector
     * kernels) and float64 (the reference), for both layouts and both norm placements.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void inferenceWithoutGradMatchesTheRecordedComposition(boolean normFirst) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            DType previous = Init.setDefaultDType(dtype);
            try {
                Init.manualSeed(7);
                var enc = new TransformerEncoderLayer(32, 4, 48, 0.1, TransformerEncoderLayer.Activation.RELU, !normFirst, normFirst);
                enc.eval();
                for (Tensor p : enc.parameters()) p.data().assign(NDArray.randn(new Generator(p.numel()), dtype, p.shape()).mul(0.3));
                Tensor src = Tensor.of(NDArray.randn(new Generator(8), dtype, 3, 7, 32).add(1));
                Tensor recorded = enc.forward(src);
                assertTrue(recorded.requiresGrad(), "parameters require grad: the composition ran");
                Tensor inferred;
                try (var scope = GradMode.noGrad()) {
                    inferred = enc.forward(src);
                }
                assertFalse(inferred.requiresGrad());
                double tol = dtype == DType.FLOAT32 ? 2e-5 : 1e-12;
                assertTrue(recorded.data().allClose(inferred.data(), tol, tol), dtype + ": " + recorded.data().sub(inferred.data()).abs().amax().item());
            } finally {
                Init.setDefaultDType(previous);
            }
        }
    }
}
