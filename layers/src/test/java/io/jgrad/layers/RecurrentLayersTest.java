package io.jgrad.layers;

import io.jgrad.autograd.GradCheck;
import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.jgrad.layers.SeededLeaves.float64;
import static io.jgrad.layers.SeededLeaves.joined;
import static io.jgrad.layers.SeededLeaves.withParameters;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecurrentLayersTest {

    private static final int N = 2, L = 3, IN = 3, H = 2;

    /** Input [N, L, IN] with batchFirst, else [L, N, IN]. */
    private static int[] inputShape(boolean batchFirst) {
        return batchFirst ? new int[] {N, L, IN} : new int[] {L, N, IN};
    }

    // ---- gradient checks (float64) ---------------------------------------------------------------

    /** Every recurrence, two layers, both layouts; RNNs also without bias. */
    static Stream<RNNBase> float64Layers() {
        Stream.Builder<RNNBase> layers = Stream.builder();
        for (boolean batchFirst : new boolean[] {true, false}) {
            layers.add(float64(1, () -> new LSTM(IN, H, 2, true, batchFirst, 0)));
            layers.add(float64(2, () -> new GRU(IN, H, 2, true, batchFirst, 0)));
            for (RNN.Nonlinearity act : RNN.Nonlinearity.values()) layers.add(float64(3, () -> new RNN(IN, H, 2, act, !batchFirst, batchFirst, 0)));
        }
        return layers.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("float64Layers")
    void gradientsMatchFiniteDifferences(RNNBase layer) {
        boolean lstm = layer instanceof LSTM;
        SeededLeaves r = new SeededLeaves(4);
        Tensor x = r.normal(inputShape(layer.batchFirst())), h0 = r.normal(2, N, H), c0 = lstm ? r.normal(2, N, H) : null;
        Tensor[] inputs = lstm ? withParameters(layer, x, h0, c0) : withParameters(layer, x, h0);
        GradCheck.check(in -> {
            RNNBase.Output o = layer.run(in[0], in[1], lstm ? in[2] : null);
            return lstm ? joined(o.output(), o.hN(), o.cN()) : joined(o.output(), o.hN());
        }, inputs);
    }

    // ---- values by hand --------------------------------------------------------------------------

    /** One step of a 1-unit LSTM, worked out by hand in PyTorch's gate order i, f, g, o. */
    @Test
    void singleLstmStepMatchesTheEquations() {
        LSTM lstm = float64(0, () -> new LSTM(1, 1));
        lstm.loadStateDict(Map.of(
                "weight_ih_l0", column(0.5, -0.5, 1.0, 0.25),
                "weight_hh_l0", column(0.1, 0.2, -0.3, 0.4),
                "bias_ih_l0", NDArray.zeros(DType.FLOAT64, 4),
                "bias_hh_l0", NDArray.of(new double[] {0, 1, 0, 0}, 4)));
        Tensor x = Tensor.of(new double[] {2}, 1, 1, 1);
        RNNBase.Output o = lstm.forward(x, Tensor.of(new double[] {0.5}, 1, 1, 1), Tensor.of(new double[] {-1}, 1, 1, 1));
        // i = σ(0.5·2 + 0.1·0.5) = σ(1.05) = 0.740775    f = σ(-0.5·2 + 0.2·0.5 + 1) = σ(0.1) = 0.524979
        // g = tanh(1·2 - 0.3·0.5) = tanh(1.85) = 0.951746 o = σ(0.25·2 + 0.4·0.5) = σ(0.7) = 0.668188
        // c' = f·(-1) + i·g = 0.180050                    h' = o·tanh(c') = 0.119024
        assertEquals(0.18005032798673481, o.cN().item(), 1e-12);
        assertEquals(0.11902402033138074, o.hN().item(), 1e-12);
        assertEquals(o.hN().item(), o.output().item(), 0);
    }

    /** One step of a 1-unit GRU: r gates W_hn·h + b_hn (PyTorch's form), not h. */
    @Test
    void singleGruStepMatchesTheEquations() {
        GRU gru = float64(0, () -> new GRU(1, 1));
        gru.loadStateDict(Map.of(
                "weight_ih_l0", column(0.5, -0.5, 1.0),
                "weight_hh_l0", column(0.1, 0.2, -0.3),
                "bias_ih_l0", NDArray.zeros(DType.FLOAT64, 3),
                "bias_hh_l0", NDArray.of(new double[] {0, 0, 0.4}, 3)));
        RNNBase.Output o = gru.forward(Tensor.of(new double[] {2}, 1, 1, 1), Tensor.of(new double[] {0.5}, 1, 1, 1));
        // r = σ(1.05), z = σ(-0.9), n = tanh(2 + r·(-0.15 + 0.4)), h' = (1-z)·n + z·0.5
        assertEquals(0.8377174975959694, o.hN().item(), 1e-12);
    }

    private static NDArray column(double... values) {
        return NDArray.of(values, values.length, 1);
    }

    // ---- behaviour -------------------------------------------------------------------------------

    @Test
    void batchFirstOnlyTransposesInputAndOutput() {
        LSTM seqFirst = float64(7, () -> new LSTM(IN, H, 2, true, false, 0));
        LSTM batchFirst = float64(8, () -> new LSTM(IN, H, 2, true, true, 0));
        batchFirst.loadStateDict(seqFirst.stateDict());
        Tensor x = new SeededLeaves(9).normal(L, N, IN);
        RNNBase.Output a = seqFirst.forward(x, null, null), b = batchFirst.forward(x.transpose(0, 1), null, null);
        assertTrue(a.output().data().allClose(b.output().transpose(0, 1).data(), 0, 1e-12));
        assertTrue(a.hN().data().allClose(b.hN().data(), 0, 1e-12));
        assertTrue(a.cN().data().allClose(b.cN().data(), 0, 1e-12));
    }

    @Test
    void missingInitialStateMeansZeros() {
        GRU gru = float64(10, () -> new GRU(IN, H, 2, true, false, 0));
        Tensor x = new SeededLeaves(11).normal(L, N, IN);
        Tensor zeros = Tensor.of(NDArray.zeros(DType.FLOAT64, 2, N, H));
        assertTrue(gru.forward(x).data().allClose(gru.forward(x, zeros).output().data(), 0, 0));
        assertNull(gru.forward(x, null).cN());
    }

    @Test
    void outputShapesFollowPyTorch() {
        RNNBase.Output o = new LSTM(IN, 5, 3, true, true, 0).forward(Tensor.zeros(N, L, IN), null, null);
        assertArrayEquals(new int[] {N, L, 5}, o.output().shape());
        assertArrayEquals(new int[] {3, N, 5}, o.hN().shape());
        assertArrayEquals(new int[] {3, N, 5}, o.cN().shape());
    }

    @Test
    void dropoutActsBetweenLayersInTrainingOnly() {
        LSTM dropped = float64(12, () -> new LSTM(IN, H, 2, true, false, 0.5));
        LSTM plain = float64(13, () -> new LSTM(IN, H, 2, true, false, 0));
        plain.loadStateDict(dropped.stateDict());
        Tensor x = new SeededLeaves(14).normal(L, N, IN);
        assertFalse(dropped.forward(x).data().allClose(plain.forward(x).data(), 0, 1e-9), "training mode drops");
        dropped.eval();
        assertTrue(dropped.forward(x).data().allClose(plain.forward(x).data(), 0, 0), "eval mode does not");
    }

    @Test
    void functionalFormRunsOnAnyWeights() {
        LSTM lstm = float64(15, () -> new LSTM(IN, H));
        Tensor x = new SeededLeaves(16).normal(L, N, IN);
        RNNBase.Output viaModule = lstm.forward(x, null, null), viaFunction = LSTM.lstm(x, null, null, lstm.weights(), false);
        assertTrue(viaModule.output().data().allClose(viaFunction.output().data(), 0, 0));
    }

    // ---- parameters ------------------------------------------------------------------------------

    @Test
    void stateDictKeysAndShapesArePyTorchs() {
        Map<String, NDArray> lstm = new LSTM(3, 4, 2, true, false, 0).stateDict();
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"),
                List.copyOf(lstm.keySet()));
        assertArrayEquals(new int[] {16, 3}, lstm.get("weight_ih_l0").shape());
        assertArrayEquals(new int[] {16, 4}, lstm.get("weight_ih_l1").shape());
        assertArrayEquals(new int[] {16, 4}, lstm.get("weight_hh_l1").shape());
        assertArrayEquals(new int[] {16}, lstm.get("bias_hh_l1").shape());
        assertArrayEquals(new int[] {12, 3}, new GRU(3, 4).stateDict().get("weight_ih_l0").shape());
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0"), List.copyOf(new RNN(3, 4, 1, RNN.Nonlinearity.RELU, false, false, 0).stateDict().keySet()));
    }

    @Test
    void everyParameterStartsInPyTorchsUniformRange() {
        double bound = 1 / Math.sqrt(16);
        for (NDArray p : new GRU(8, 16, 2, true, false, 0).stateDict().values()) {
            assertTrue(p.amax().item() <= bound && p.amin().item() >= -bound);
            assertTrue(p.amax().item() > bound / 2, "spread over the range, not all near 0");
        }
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("LSTM(3, 4, num_layers=2, batch_first=True)", new LSTM(3, 4, 2, true, true, 0).toString());
        assertEquals("RNN(3, 4, nonlinearity='relu', bias=False)", new RNN(3, 4, 1, RNN.Nonlinearity.RELU, false, false, 0).toString());
    }

    // ---- shape errors ----------------------------------------------------------------------------

    @Test
    void wrongInputFeatureSizeNamesLayerAndShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LSTM(3, 4, 1, true, true, 0).forward(Tensor.zeros(2, 5, 7)));
        assertEquals("LSTM: expected input [N, L, 3] (batchFirst) with at least one step, got shape [2, 5, 7]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GRU(3, 4).forward(Tensor.zeros(5, 3)));
        assertEquals("GRU: expected input [L, N, 3] with at least one step, got shape [5, 3]", e.getMessage());
    }

    @Test
    void wrongInitialStateNamesLayerAndShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LSTM(3, 4, 2, true, false, 0).forward(Tensor.zeros(5, 6, 3), Tensor.zeros(1, 6, 4), null));
        assertEquals("LSTM: expected h0 of shape [2, 6, 4] [num_layers, batch, hidden_size], got [1, 6, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LSTM(3, 4).forward(Tensor.zeros(5, 6, 3), null, Tensor.zeros(1, 6, 5)));
        assertEquals("LSTM: expected c0 of shape [1, 6, 4] [num_layers, batch, hidden_size], got [1, 6, 5]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RNN(3, 4).forward(Tensor.zeros(5, 6, 3), Tensor.zeros(6, 4)));
        assertEquals("RNN: expected h0 of shape [1, 6, 4] [num_layers, batch, hidden_size], got [6, 4]", e.getMessage());
    }

    @Test
    void wrongWeightsInTheFunctionalFormAreNamed() {
        LSTM lstm = new LSTM(3, 4);
        RNNBase.LayerWeights w = lstm.weights().get(0);
        var bad = new RNNBase.LayerWeights(w.weightIh(), Tensor.zeros(16, 5), w.biasIh(), w.biasHh());
        var e = assertThrows(IllegalArgumentException.class, () -> LSTM.lstm(Tensor.zeros(5, 6, 3), null, null, List.of(bad), false));
        assertEquals("LSTM: weight_hh_l0 has shape [16, 5], expected [16, 4]", e.getMessage());
    }

    @Test
    void badConstructorArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new LSTM(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new GRU(3, 4, 0, true, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new RNN(3, 4, 2, RNN.Nonlinearity.TANH, true, false, 1.0));
    }
}
