package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static io.jgrad.layers.Reduction.MEAN;
import static io.jgrad.layers.Reduction.NONE;
import static io.jgrad.layers.Reduction.SUM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every loss against numbers worked out by hand (the formulas are in the comments). */
class LossValuesTest {

    private static final double TOL = 1e-12;
    private static final double LN3 = Math.log(3);

    private static Tensor v(double... values) {
        return Tensor.of(values, values.length);
    }

    private static Tensor labels(long... values) {
        return Tensor.of(NDArray.of(values, values.length));
    }

    @Test
    void regressionLosses() {
        Tensor x = v(1, 2, 3), t = v(1, 0, 0);                              // d = [0, 2, 3]
        assertEquals(13 / 3.0, Losses.mseLoss(x, t).item(), TOL);            // (0 + 4 + 9) / 3
        assertEquals(13, Losses.mseLoss(x, t, SUM).item(), TOL);
        assertArrayEquals(new double[] {0, 4, 9}, Losses.mseLoss(x, t, NONE).data().toDoubleArray(), TOL);
        assertEquals(5 / 3.0, new L1Loss().forward(x, t).item(), TOL);     // (0 + 2 + 3) / 3

        Tensor d = v(0.5, -2), zero = v(0, 0);
        assertArrayEquals(new double[] {0.125, 1.5}, Losses.smoothL1Loss(d, zero, 1, NONE).data().toDoubleArray(), TOL);   // 0.5·0.25/1, 2 - 0.5
        assertEquals(2.5, new SmoothL1Loss(SUM, 0).forward(d, zero).item(), TOL);                                       // β = 0: L1
        assertArrayEquals(new double[] {0.125, 4}, new HuberLoss(NONE, 2).forward(v(0.5, -3), zero).data().toDoubleArray(), TOL); // 0.5·0.25, 2·(3 - 1)
    }

    @Test
    void binaryCrossEntropyClampsItsLogsAtMinus100() {
        assertEquals(-(Math.log(0.8) + Math.log(0.7)) / 2, new BCELoss().forward(v(0.8, 0.3), v(1, 0)).item(), TOL);
        Tensor p = v(0, 1, 0, 1).requiresGrad(true);
        Tensor loss = Losses.binaryCrossEntropy(p, v(1, 0, 0, 1), null, NONE);
        assertArrayEquals(new double[] {100, 100, 0, 0}, loss.data().toDoubleArray(), TOL);
        loss.sum().backward();
        for (double g : p.grad().toDoubleArray()) assertTrue(Double.isFinite(g), "gradient " + g + " at p in {0, 1}");
        assertEquals(2.0, Losses.binaryCrossEntropy(v(0.5), v(1), v(2.0 / Math.log(2)), SUM).item(), 1e-12);   // weight·log 2
    }

    @Test
    void binaryCrossEntropyWithLogitsIsStableAndExactAtZero() {
        Tensor x = v(0, 2, -800, 800).requiresGrad(true), t = v(1, 0, 0, 1);
        Tensor loss = Losses.binaryCrossEntropyWithLogits(x, t, null, null, NONE);
        // max(x, 0) - x·t + log(1 + e^-|x|)
        assertArrayEquals(new double[] {Math.log(2), 2 + Math.log1p(Math.exp(-2)), 0, 0}, loss.data().toDoubleArray(), 1e-12);
        loss.sum().backward();
        double s2 = 1 / (1 + Math.exp(-2));
        assertArrayEquals(new double[] {-0.5, s2, 0, 0}, x.grad().toDoubleArray(), 1e-12);   // σ(x) - t, also at x = 0
        Tensor posWeight = v(3);
        assertEquals(3 * Math.log(2), new BCEWithLogitsLoss(null, MEAN, posWeight).forward(v(0), v(1)).item(), 1e-12);
    }

    /** Two rows of logits [0, ln 3]: softmax [1/4, 3/4], so -log p = [ln 4, ln 4/3]. */
    private static final Tensor LOGITS = Tensor.of(new double[] {0, LN3, 0, LN3, 0, LN3}, 3, 2);

    @Test
    void crossEntropyWithIgnoreIndexAveragesOverTheKeptTargets() {
        Tensor twoRows = LOGITS.narrow(0, 0, 2);
        double kept = (Math.log(4.0 / 3) + Math.log(4)) / 2;
        assertEquals(kept, Losses.crossEntropy(twoRows, labels(1, 0)).item(), TOL);
        assertEquals(kept, new CrossEntropyLoss().forward(LOGITS, labels(1, 0, -100)).item(), TOL);   // the third row does not count
        assertArrayEquals(new double[] {Math.log(4.0 / 3), Math.log(4), 0},
                Losses.crossEntropy(LOGITS, labels(1, 0, 7), null, 7, NONE, 0).data().toDoubleArray(), TOL);
        assertTrue(Double.isNaN(Losses.crossEntropy(twoRows, labels(-100, -100)).item()));          // 0/0, as PyTorch
    }

    @Test
    void crossEntropyLabelSmoothing() {
        // (1 - ε)·(-log p_target) + ε/C·Σ_c(-log p_c) with ε = 0.1, C = 2
        double row0 = 0.9 * Math.log(4.0 / 3) + 0.05 * (Math.log(4) + Math.log(4.0 / 3));
        double row1 = 0.9 * Math.log(4) + 0.05 * (Math.log(4) + Math.log(4.0 / 3));
        Tensor rows = LOGITS.narrow(0, 0, 2);
        assertEquals((row0 + row1) / 2, new CrossEntropyLoss(MEAN, 0.1).forward(rows, labels(1, 0)).item(), TOL);
        assertEquals(row0 + row1, new CrossEntropyLoss(SUM, 0.1).forward(rows, labels(1, 0)).item(), TOL);
    }

    @Test
    void classWeightsMakeAWeightedMean() {
        Tensor w = v(2, 1);
        // rows: target 1 (weight 1, -log p = ln 4/3), target 0 (weight 2, ln 4); ignored row adds nothing
        double expected = (Math.log(4.0 / 3) + 2 * Math.log(4)) / 3;
        assertEquals(expected, new CrossEntropyLoss(w, -100, MEAN, 0).forward(LOGITS, labels(1, 0, -100)).item(), TOL);
        // with smoothing, ε/C·Σ_c w_c·(-log p_c) per kept row, over the same divisor Σ w[t_i] = 3
        double uniform = 0.05 * (2 * Math.log(4) + Math.log(4.0 / 3));
        double smoothed = (0.9 * (Math.log(4.0 / 3) + 2 * Math.log(4)) + 2 * uniform) / 3;
        assertEquals(smoothed, new CrossEntropyLoss(w, -100, MEAN, 0.1).forward(LOGITS, labels(1, 0, -100)).item(), TOL);
    }

    @Test
    void crossEntropyWithProbabilityTargets() {
        Tensor target = Tensor.of(new double[] {0.5, 0.5}, 1, 2);
        assertEquals(0.5 * (Math.log(4) + Math.log(4.0 / 3)), Losses.crossEntropy(LOGITS.narrow(0, 0, 1), target).item(), TOL);
    }

    @Test
    void nllLossPicksTheTargetLogProbability() {
        Tensor logp = Tensor.of(new double[] {-1, -2, -3, -4}, 2, 2);
        assertEquals(2.5, new NLLLoss().forward(logp, labels(1, 0)).item(), TOL);                        // (2 + 3) / 2
        assertEquals((2 + 3 * 3) / 4.0, new NLLLoss(v(3, 1), -100, MEAN).forward(logp, labels(1, 0)).item(), TOL);
        assertEquals(3, new NLLLoss(null, 1, SUM).forward(logp, labels(1, 0)).item(), TOL);
    }

    @Test
    void reductionNames() {
        assertEquals(SUM, Reduction.of("sum"));
        assertEquals("none", NONE.pytorchName());
        assertEquals("reduction must be 'none', 'mean' or 'sum', got 'avg'",
                assertThrows(IllegalArgumentException.class, () -> Reduction.of("avg")).getMessage());
    }

    @Test
    void lossesAreInterchangeable() {
        Loss loss = new MSELoss();
        assertEquals(Losses.mseLoss(v(1, 2), v(0, 0)).item(), loss.forward(v(1, 2), v(0, 0)).item(), 0);
        Loss custom = (input, target) -> input.sub(target).abs().amax(0, false);
        assertEquals(2, custom.forward(v(1, 2), v(0, 0)).item(), 0);
    }
}
