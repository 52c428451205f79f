package io.jgrad.layers;

import io.jgrad.autograd.GradCheck;
import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static io.jgrad.layers.SeededLeaves.float64;
import static io.jgrad.layers.SeededLeaves.withParameters;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scaled dot-product attention and {@link MultiheadAttention}. */
class AttentionTest {

    private static final int N = 2, L = 3, S = 4, E = 4, HEADS = 2;

    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    // ---- scaled dot-product attention -------------------------------------------------------------

    @Test
    void sdpaIsSoftmaxOfScaledScoresTimesValues() {
        SeededLeaves r = new SeededLeaves(1);
        Tensor q = r.normal(2, L, E), k = r.normal(2, S, E), v = r.normal(2, S, 3);
        Tensor expected = q.matmul(k.transpose(1, 2)).div(Math.sqrt(E)).softmax(-1).matmul(v);
        assertTrue(Attention.scaledDotProductAttention(q, k, v, null, false).data().allClose(expected.data(), 0, 1e-12));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void sdpaGradientsMatchFiniteDifferences(boolean isCausal) {
        SeededLeaves r = new SeededLeaves(2);
        Tensor q = r.normal(N, HEADS, L, E), k = r.normal(N, HEADS, S, E), v = r.normal(N, HEADS, S, E);
        NDArray mask = NDArray.randn(new io.jgrad.tensor.Generator(3), DType.FLOAT64, L, S);
        GradCheck.check(in -> Attention.scaledDotProductAttention(in[0], in[1], in[2], mask, isCausal), q, k, v);
    }

    @Test
    void causalMaskBlocksLaterKeysTopLeftAligned() {
        NDArray m = Attention.causalMask(DType.FLOAT64, 2, 3);
        assertArrayEquals(new double[] {0, NEG_INF, NEG_INF, 0, 0, NEG_INF}, m.toDoubleArray());
    }

    @Test
    void causalSdpaIgnoresFuturePositions() {
        SeededLeaves r = new SeededLeaves(4);
        Tensor q = r.normal(1, 5, E), k = r.normal(1, 5, E), v = r.normal(1, 5, E);
        Tensor before = Attention.scaledDotProductAttention(q, k, v, null, true);
        k.data().select(1, 3).fill(7);
        v.data().select(1, 3).fill(-7);
        Tensor after = Attention.scaledDotProductAttention(q, k, v, null, true);
        assertTrue(before.narrow(1, 0, 3).data().allClose(after.narrow(1, 0, 3).data(), 0, 0), "positions 0..2 cannot see position 3");
        assertFalse(before.narrow(1, 3, 2).data().allClose(after.narrow(1, 3, 2).data(), 0, 1e-6), "positions 3..4 can");
    }

    /** A query masked from every key gets zeros, as PyTorch's SDPA since 2.5, not NaN, and so do its gradients. */
    @Test
    void fullyMaskedRowGivesZerosNotNaN() {
        SeededLeaves r = new SeededLeaves(5);
        Tensor q = r.normal(1, 2, E), k = r.normal(1, 3, E), v = r.normal(1, 3, E);
        NDArray mask = NDArray.of(new double[] {0, NEG_INF, 0, NEG_INF, NEG_INF, NEG_INF}, 2, 3);
        Tensor out = Attention.scaledDotProductAttention(q, k, v, mask, false);
        assertArrayEquals(new double[E], out.select(1, 1).flatten().data().toDoubleArray());
        out.sum().backward();
        for (Tensor t : List.of(q, k, v)) {
            for (double g : t.grad().toDoubleArray()) assertFalse(Double.isNaN(g));
        }
        assertArrayEquals(new double[E], q.grad().select(1, 1).flatten().toDoubleArray(), "a query that attends to nothing gets no gradient");
    }

    @Test
    void sdpaRejectsMismatchedShapesAndBooleanMasks() {
        var e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(Tensor.zeros(2, 3, 4), Tensor.zeros(2, 5, 6), Tensor.zeros(2, 5, 6), null, false));
        assertEquals("scaledDotProductAttention: expected query [..., L, E], key [..., S, E], value [..., S, Ev], got [2, 3, 4], [2, 5, 6], [2, 5, 6]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(Tensor.zeros(3, 4), Tensor.zeros(5, 4), Tensor.zeros(5, 4), NDArray.zeros(DType.INT64, 3, 5), false));
        assertTrue(e.getMessage().contains("additive float mask"), e.getMessage());
    }

    // ---- multi-head attention ---------------------------------------------------------------------

    private static NDArray paddingMask() {
        NDArray kpm = NDArray.zeros(DType.INT64, N, S);
        kpm.set(1, 0, S - 1);
        kpm.set(1, 1, 0);
        return kpm;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void mhaGradientsMatchFiniteDifferences(boolean batchFirst) {
        MultiheadAttention mha = float64(6, () -> new MultiheadAttention(E, HEADS, true, batchFirst));
        SeededLeaves r = new SeededLeaves(7);
        Tensor q = batchFirst ? r.normal(N, L, E) : r.normal(L, N, E);
        Tensor kv = batchFirst ? r.normal(N, S, E) : r.normal(S, N, E);
        Tensor v = batchFirst ? r.normal(N, S, E) : r.normal(S, N, E);
        NDArray attnMask = NDArray.randn(new io.jgrad.tensor.Generator(8), DType.FLOAT64, L, S);
        GradCheck.check(in -> mha.forward(in[0], in[1], in[2], paddingMask(), attnMask, false), withParameters(mha, q, kv, v));
    }

    @Test
    void causalMhaGradientsMatchFiniteDifferences() {
        MultiheadAttention mha = float64(9, () -> new MultiheadAttention(E, HEADS, false, true));
        Tensor x = new SeededLeaves(10).normal(N, L, E);
        GradCheck.check(in -> mha.forward(in[0], in[0], in[0], null, null, true), withParameters(mha, x));
    }

    @Test
    void causalMhaIgnoresFuturePositions() {
        MultiheadAttention mha = float64(11, () -> new MultiheadAttention(E, HEADS, true, true));
        Tensor x = new SeededLeaves(12).normal(N, 5, E);
        Tensor before = mha.forward(x, x, x, null, null, true);
        x.data().select(1, 2).fill(3);
        Tensor after = mha.forward(x, x, x, null, null, true);
        assertTrue(before.narrow(1, 0, 2).data().allClose(after.narrow(1, 0, 2).data(), 0, 0));
        assertFalse(before.narrow(1, 2, 3).data().allClose(after.narrow(1, 2, 3).data(), 0, 1e-6));
    }

    @Test
    void paddedKeysGetNoWeightAndWeightsAverageOverHeads() {
        MultiheadAttention mha = float64(13, () -> new MultiheadAttention(E, HEADS, true, true));
        SeededLeaves r = new SeededLeaves(14);
        MultiheadAttention.Output o = mha.forwardWithWeights(r.normal(N, L, E), r.normal(N, S, E), r.normal(N, S, E), paddingMask(), null, false);
        assertArrayEquals(new int[] {N, L, S}, o.weights().shape());
        for (int i = 0; i < L; i++) {
            assertEquals(0, o.weights().data().get(0, i, S - 1));
            assertEquals(0, o.weights().data().get(1, i, 0));
        }
        assertTrue(o.weights().sum(-1).data().allClose(NDArray.ones(DType.FLOAT64, N, L), 0, 1e-12));
    }

    /**
     * The output without weights is the fused op, with them the composition: the same values and the same
     * gradients for the query, key, value and every parameter, with a padding mask, an attention mask that hides
     * all keys from one query, and causal.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void fusedAndComposedMhaAgree(boolean isCausal) {
        MultiheadAttention mha = float64(17, () -> new MultiheadAttention(E, HEADS, true, true));
        SeededLeaves r = new SeededLeaves(18);
        Tensor q = r.normal(N, L, E), k = r.normal(N, S, E), v = r.normal(N, S, E);
        NDArray attnMask = NDArray.randn(new io.jgrad.tensor.Generator(19), DType.FLOAT64, L, S);
        attnMask.select(0, 1).fill(NEG_INF);
        Tensor[] leaves = withParameters(mha, q, k, v);
        double[][] grads = new double[2][];
        Tensor[] outputs = new Tensor[2];
        for (int fused = 0; fused < 2; fused++) {
            for (Tensor t : leaves) t.zeroGrad();
            outputs[fused] = fused == 1 ? mha.forward(q, k, v, paddingMask(), attnMask, isCausal)
                    : mha.forwardWithWeights(q, k, v, paddingMask(), attnMask, isCausal).output();
            outputs[fused].mul(outputs[fused]).sum().backward();
            grads[fused] = NDArray.cat(0, Arrays.stream(leaves).map(t -> t.grad().reshape(-1)).toArray(NDArray[]::new)).toDoubleArray();
        }
        assertTrue(outputs[1].data().allClose(outputs[0].data(), 1e-12, 1e-12));
        assertArrayEquals(grads[0], grads[1], 1e-10);
        // The query that sees no key attends to nothing: its output is the output projection's bias, zero at initialisation.
        assertEquals(0, outputs[1].data().select(1, 1).abs().amax().item(), 0, "the blind query's output");
    }

    /** An int64 attnMask is PyTorch's boolean mask: nonzero = may not attend, the same as an additive -inf. */
    @Test
    void booleanAndAdditiveAttnMasksAgree() {
        MultiheadAttention mha = float64(15, () -> new MultiheadAttention(E, HEADS));
        Tensor x = new SeededLeaves(16).normal(L, N, E);
        NDArray blocked = NDArray.of(new long[] {0, 1, 0, 0, 0, 1, 0, 0, 0}, L, L);
        NDArray additive = NDArray.of(new double[] {0, NEG_INF, 0, 0, 0, NEG_INF, 0, 0, 0}, L, L);
        assertTrue(mha.forward(x, x, x, null, blocked, false).data().allClose(mha.forward(x, x, x, null, additive, false).data(), 0, 0));
    }

    @Test
    void mhaStateDictAndInitialisationArePyTorchs() {
        MultiheadAttention mha = new MultiheadAttention(8, 2);
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"), List.copyOf(mha.stateDict().keySet()));
        assertArrayEquals(new int[] {24, 8}, mha.inProjWeight.shape());
        assertEquals(0, mha.inProjBias.data().abs().amax().item());
        assertEquals(0, mha.outProj.bias.data().abs().amax().item());
        double xavier = Math.sqrt(6.0 / (8 + 24));
        assertTrue(mha.inProjWeight.data().abs().amax().item() <= xavier);
        assertEquals(List.of("in_proj_weight", "out_proj.weight"), List.copyOf(new MultiheadAttention(8, 2, false, false).stateDict().keySet()));
    }

    @Test
    void mhaShapeErrorsNameTheLayerAndShapes() {
        MultiheadAttention mha = new MultiheadAttention(8, 2, true, true);
        var e = assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(2, 3, 6)));
        assertEquals("MultiheadAttention: expected query [N, L, 8], key and value [N, S, 8] (batchFirst), got [2, 3, 6], [2, 3, 6], [2, 3, 6]", e.getMessage());
        Tensor q = Tensor.zeros(2, 3, 8), kv = Tensor.zeros(2, 5, 8);
        e = assertThrows(IllegalArgumentException.class, () -> mha.forward(q, kv, kv, NDArray.zeros(2, 3), null, false));
        assertEquals("MultiheadAttention: expected keyPaddingMask of shape [2, 5], got [2, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> mha.forward(q, kv, kv, null, NDArray.zeros(3, 3), false));
        assertEquals("MultiheadAttention: expected attnMask [3, 5] or [4, 3, 5], got [3, 3]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(10, 3));
    }
}
