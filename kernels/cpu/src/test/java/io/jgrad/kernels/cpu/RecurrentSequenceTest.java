package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.assertClose;
import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrad.tensor.Backends;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.function.Supplier;

/**
 * The whole-sequence GRU and LSTM ({@link NDArray#gruSequence}, {@link NDArray#lstmSequence} and their backward
 * passes): on the vector backend against the reference, at odd sizes, with the gates as given (time-major) and as
 * a transposed batch-first array; the forward against the cells step by step; the layout of the gates' gradient.
 * (Their gradients are checked in float64 against finite differences in autograd's OpGradCheckTest.)
 */
class RecurrentSequenceTest {

    /** float32 sums in another order (the products), then a few transcendental steps: a little looser than one cell. */
    private static final double RTOL = 2e-5, ATOL = 2e-5;

    private static <T> T on(String backend, Supplier<T> work) {
        Backends.use(backend);
        try {
            return work.get();
        } finally {
            Backends.use(null);
        }
    }

    /** {@code [L, N, blocks·H]} gates, time-major, or a transposed view of batch-first {@code [N, L, blocks·H]}. */
    private static NDArray gates(Generator gen, int steps, int batch, int width, boolean batchFirst) {
        return batchFirst ? randn(gen, batch, steps, width).transpose(0, 1) : randn(gen, steps, batch, width);
    }

    private static NDArray[] gru(NDArray xGates, NDArray h0, NDArray w, NDArray b, NDArray gradOut) {
        NDArray[] fwd = NDArray.gruSequence(xGates, h0, w, b);
        NDArray[] bwd = NDArray.gruSequenceBackward(gradOut, xGates, w, fwd[0], fwd[1], b != null);
        NDArray[] all = new NDArray[2 + bwd.length];
        all[0] = fwd[0];
        all[1] = fwd[1];
        System.arraycopy(bwd, 0, all, 2, bwd.length);
        return all;
    }

    private static NDArray[] lstm(NDArray xGates, NDArray h0, NDArray c0, NDArray w, NDArray gradOut) {
        NDArray[] fwd = NDArray.lstmSequence(xGates, h0, c0, w);
        NDArray[] bwd = NDArray.lstmSequenceBackward(gradOut, w, fwd[0], fwd[1]);
        return new NDArray[] {fwd[0], fwd[1], bwd[0], bwd[1], bwd[2], bwd[3]};
    }

    @ParameterizedTest(name = "L {0}, N {1}, H {2}, batch-first {3}, bias {4}")
    @CsvSource({"1, 1, 1, false, true", "5, 3, 13, false, true", "5, 3, 13, true, false", "2, 7, 33, true, true", "3, 2, 17, false, false", "4, 1, 16, true, true"})
    void gruVectorMatchesTheReference(int steps, int batch, int hidden, boolean batchFirst, boolean bias) {
        Generator gen = new Generator(7L * steps + hidden);
        NDArray xGates = gates(gen, steps, batch, 3 * hidden, batchFirst), h0 = randn(gen, batch, hidden);
        NDArray w = randn(gen, 3 * hidden, hidden).mul(0.5), b = bias ? randn(gen, 3 * hidden) : null, gradOut = randn(gen, steps, batch, hidden);
        NDArray[] expected = on(ReferenceBackend.NAME, () -> gru(xGates, h0, w, b, gradOut));
        NDArray[] actual = on(VectorBackend.NAME, () -> gru(xGates, h0, w, b, gradOut));
        String[] names = {"states", "saved", "grad xGates", "grad h0", "grad weightHh", "grad biasHh"};
        assertEquals(bias ? 6 : 5, actual.length);
        for (int k = 0; k < actual.length; k++) assertClose(expected[k], actual[k], RTOL, ATOL, "gru " + names[k]);
        // the gates' gradient comes in the gates' own layout (no copy when it reaches a batch-first projection)
        if (batch > 1) assertArrayEquals(xGates.strides(), actual[2].strides(), "strides of grad xGates");
    }

    @ParameterizedTest(name = "L {0}, N {1}, H {2}, batch-first {3}")
    @CsvSource({"1, 1, 1, false", "5, 3, 13, false", "5, 3, 13, true", "2, 7, 33, true", "3, 2, 17, false"})
    void lstmVectorMatchesTheReference(int steps, int batch, int hidden, boolean batchFirst) {
        Generator gen = new Generator(11L * steps + hidden);
        NDArray xGates = gates(gen, steps, batch, 4 * hidden, batchFirst), h0 = randn(gen, batch, hidden), c0 = randn(gen, batch, hidden);
        NDArray w = randn(gen, 4 * hidden, hidden).mul(0.5), gradOut = randn(gen, 2, steps, batch, hidden);
        NDArray[] expected = on(ReferenceBackend.NAME, () -> lstm(xGates, h0, c0, w, gradOut));
        NDArray[] actual = on(VectorBackend.NAME, () -> lstm(xGates, h0, c0, w, gradOut));
        String[] names = {"states", "gates", "grad xGates", "grad h0", "grad c0", "grad weightHh"};
        for (int k = 0; k < actual.length; k++) assertClose(expected[k], actual[k], RTOL, ATOL, "lstm " + names[k]);
    }

    /** Each state is the cell applied to the previous one: {@code gruCell(xGates[t], h·W_hhᵀ + b_hh, h)}. */
    @Test
    void gruStatesAreTheCellStepByStep() {
        Generator gen = new Generator(3);
        int steps = 4, batch = 3, hidden = 5;
        NDArray xGates = gates(gen, steps, batch, 3 * hidden, true), h0 = randn(gen, batch, hidden);
        NDArray w = randn(gen, 3 * hidden, hidden), b = randn(gen, 3 * hidden);
        NDArray states = NDArray.gruSequence(xGates, h0, w, b)[0];
        NDArray h = h0;
        for (int t = 0; t < steps; t++) {
            h = NDArray.gruCell(xGates.select(0, t), h.matmul(w.transpose(0, 1)).add(b), h)[0];
            assertClose(h, states.select(0, t + 1), 1e-6, 1e-6, "state after step " + t);
        }
        assertClose(h0, states.select(0, 0), 1e-7, 1e-7, "h0 first");
    }

    /** Each (h, c) is the cell applied to the previous one: {@code lstmCell(xGates[t], h·W_hhᵀ, c)}. */
    @Test
    void lstmStatesAreTheCellStepByStep() {
        Generator gen = new Generator(4);
        int steps = 3, batch = 2, hidden = 7;
        NDArray xGates = gates(gen, steps, batch, 4 * hidden, false), h0 = randn(gen, batch, hidden), c0 = randn(gen, batch, hidden);
        NDArray w = randn(gen, 4 * hidden, hidden);
        NDArray states = NDArray.lstmSequence(xGates, h0, c0, w)[0];
        NDArray h = h0, c = c0;
        for (int t = 0; t < steps; t++) {
            NDArray hc = NDArray.lstmCell(xGates.select(0, t), h.matmul(w.transpose(0, 1)), c)[0];
            h = hc.select(0, 0);
            c = hc.select(0, 1);
            assertClose(h, states.select(0, 0).select(0, t + 1), 1e-6, 1e-6, "h after step " + t);
            assertClose(c, states.select(0, 1).select(0, t + 1), 1e-6, 1e-6, "c after step " + t);
        }
    }

    @Test
    void anEmptyBatchGivesEmptyStatesAndZeroWeightGradients() {
        NDArray xGates = NDArray.zeros(4, 0, 6), h0 = NDArray.zeros(0, 2), w = NDArray.ones(6, 2), b = NDArray.ones(6);
        NDArray[] all = gru(xGates, h0, w, b, NDArray.zeros(4, 0, 2));
        assertArrayEquals(new int[] {5, 0, 2}, all[0].shape());
        assertEquals(0.0, all[4].abs().sum().item());
        assertEquals(0.0, all[5].abs().sum().item());
    }

    @Test
    void wrongShapesNameTheOpAndTheArray() {
        NDArray xGates = NDArray.zeros(4, 2, 6), h0 = NDArray.zeros(2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NDArray.gruSequence(xGates, h0, NDArray.zeros(6, 3), null));
        assertTrue(e.getMessage().contains("gruSequence") && e.getMessage().contains("weightHh") && e.getMessage().contains("[6, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NDArray.lstmSequence(xGates, h0, NDArray.zeros(2, 2), NDArray.zeros(4, 2)));
        assertTrue(e.getMessage().contains("lstmSequence") && e.getMessage().contains("4·H"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NDArray.gruSequence(xGates, NDArray.zeros(3, 2), NDArray.zeros(6, 2), null));
        assertTrue(e.getMessage().contains("h0") && e.getMessage().contains("[3, 2]"), e.getMessage());
    }
}
