package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.IntToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every schedule against its closed form, epoch by epoch. */
class ScheduleTest {

    private static final double TOL = 1e-12;

    private static Optimizer sgd(double lr) {
        return SGD.builder().lr(lr).momentum(0.9).build(List.of(Tensor.parameter(NDArray.zeros(1))));
    }

    /** The learning rate of group 0 during each of {@code epochs} epochs, stepping after each. */
    private static double[] lrs(Optimizer opt, LRScheduler schedule, int epochs) {
        double[] out = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            out[e] = opt.paramGroups().get(0).lr();
            schedule.step();
        }
        return out;
    }

    private static double[] closedForm(int epochs, IntToDoubleFunction lr) {
        double[] out = new double[epochs];
        for (int e = 0; e < epochs; e++) out[e] = lr.applyAsDouble(e);
        return out;
    }

    @Test
    void stepLR() {
        Optimizer opt = sgd(0.1);
        assertArrayEquals(closedForm(12, e -> 0.1 * Math.pow(0.5, e / 3)), lrs(opt, new StepLR(opt, 3, 0.5), 12), TOL);
    }

    @Test
    void exponentialLR() {
        Optimizer opt = sgd(0.1);
        assertArrayEquals(closedForm(12, e -> 0.1 * Math.pow(0.9, e)), lrs(opt, new ExponentialLR(opt, 0.9), 12), TOL);
    }

    @Test
    void cosineAnnealingGoesDownOverTMaxEpochsAndBackUpAfter() {
        // η_e = ηmin + (η0 − ηmin)·(1 + cos(πe/T))/2, with period 2T past the end (PyTorch's recursion does the same).
        Optimizer opt = sgd(0.1);
        double[] expected = closedForm(31, e -> 0.001 + (0.1 - 0.001) * (1 + Math.cos(Math.PI * e / 10)) / 2);
        double[] actual = lrs(opt, new CosineAnnealingLR(opt, 10, 0.001), 31);
        assertArrayEquals(expected, actual, TOL);
        assertEquals(0.001, actual[10], TOL);
        assertEquals(0.1, actual[20], TOL);
    }

    @Test
    void cosineAnnealingUsesEachGroupsBaseRate() {
        Optimizer opt = SGD.builder().lr(0.1).build(new ParamGroup(List.of(Tensor.parameter(NDArray.zeros(1)))),
                new ParamGroup(List.of(Tensor.parameter(NDArray.zeros(1)))).set(Optimizer.LR, 1.0));
        LRScheduler cosine = new CosineAnnealingLR(opt, 4);
        for (int e = 0; e < 2; e++) cosine.step();
        assertArrayEquals(new double[] {0.05, 0.5}, cosine.lastLr(), TOL);   // halfway: (1 + cos(π/2))/2 = 1/2
    }

    @Test
    void linearWarmup() {
        // lr_e = 0.1·(0.25 + 0.75·min(e, 3)/3)
        Optimizer opt = sgd(0.1);
        assertArrayEquals(new double[] {0.025, 0.05, 0.075, 0.1, 0.1, 0.1}, lrs(opt, new LinearWarmup(opt, 0.25, 3), 6), TOL);
    }

    @Test
    void oneCycleCosine() {
        // total 10, pctStart 0.3: warm-up over epochs 0..2 (phase end 0.3·10 − 1 = 2), anneal over 2..9.
        Optimizer opt = sgd(123);   // the schedule replaces the starting rate with maxLr/divFactor
        OneCycleLR schedule = OneCycleLR.builder(1.0, 10).build(opt);
        double initial = 1.0 / 25, min = initial / 1e4;
        double[] momentum = new double[10];
        double[] lr = new double[10];
        for (int e = 0; e < 10; e++) {
            lr[e] = opt.paramGroups().get(0).lr();
            momentum[e] = opt.paramGroups().get(0).number(Optimizer.MOMENTUM);
            if (e < 9) schedule.step();
        }
        double[] expected = closedForm(10, e -> e <= 2
                ? 1.0 + (initial - 1.0) / 2 * (1 + Math.cos(Math.PI * e / 2))
                : min + (1.0 - min) / 2 * (1 + Math.cos(Math.PI * (e - 2) / 7)));
        assertArrayEquals(expected, lr, TOL);
        assertEquals(initial, lr[0], TOL);
        assertEquals(1.0, lr[2], TOL);
        assertEquals(min, lr[9], TOL);
        assertEquals(0.95, momentum[0], TOL);   // momentum moves against the learning rate
        assertEquals(0.85, momentum[2], TOL);
        assertEquals(0.95, momentum[9], TOL);
    }

    @Test
    void oneCycleLinearThreePhaseCyclesAdamsBeta1() {
        // total 20, pctStart 0.25: up over 0..4, back down to the start over 4..8, then to the minimum over 8..19.
        Optimizer adam = Adam.builder().build(List.of(Tensor.parameter(NDArray.zeros(1))));
        OneCycleLR schedule = OneCycleLR.builder(0.5, 20).pctStart(0.25).annealStrategy(OneCycleLR.AnnealStrategy.LINEAR)
                .threePhase(true).divFactor(10).finalDivFactor(100).build(adam);
        double[] lr = lrs(adam, schedule, 20);
        assertEquals(0.05, lr[0], TOL);
        assertEquals(0.05 + (0.5 - 0.05) * 2 / 4, lr[2], TOL);
        assertEquals(0.5, lr[4], TOL);
        assertEquals(0.05, lr[8], TOL);
        assertEquals(0.05 + (0.0005 - 0.05) * 6 / 11, lr[14], TOL);
        assertEquals(0.0005, lr[19], TOL);
        assertEquals(0.95, adam.paramGroups().get(0).number(Optimizer.BETA1), TOL);
    }

    @Test
    void oneCycleRefusesToStepPastItsEnd() {
        Optimizer opt = sgd(0.1);
        OneCycleLR schedule = OneCycleLR.builder(1.0, 3).build(opt);
        for (int e = 0; e < 3; e++) schedule.step();
        assertThrows(IllegalStateException.class, schedule::step);
    }

    /** Learning rates in effect while each metric was measured; the schedule sees the metric after the epoch. */
    private static double[] plateau(ReduceLROnPlateau.Builder builder, double... metrics) {
        Optimizer opt = sgd(1.0);
        ReduceLROnPlateau schedule = builder.build(opt);
        double[] out = new double[metrics.length];
        for (int e = 0; e < metrics.length; e++) {
            out[e] = opt.paramGroups().get(0).lr();
            schedule.step(metrics[e]);
        }
        return out;
    }

    @Test
    void plateauInMinModeHalvesAfterPatienceBadEpochs() {
        // best 1.0 at epoch 0; epochs 1, 2, 3 are no better than 1.0·(1 − 1e-4): the third bad epoch (> patience 2)
        // halves the rate for epoch 4; 0.5 at epoch 4 is a new best; then three bad epochs again.
        double[] lr = plateau(ReduceLROnPlateau.builder().factor(0.5).patience(2), 1.0, 1.0, 0.99995, 1.2, 0.5, 0.6, 0.6, 0.6, 0.6);
        assertArrayEquals(new double[] {1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25}, lr, TOL);
    }

    @Test
    void plateauInMaxModeWithAbsoluteThresholdCooldownAndMinLr() {
        // mode MAX, abs threshold 0.05: 0.52 is not better than 0.5 + 0.05. patience 0: each bad epoch reduces,
        // then 1 epoch of cooldown ignores the next bad one. The rate never goes below 0.3.
        double[] lr = plateau(ReduceLROnPlateau.builder().mode(ReduceLROnPlateau.Mode.MAX).factor(0.5).patience(0)
                .threshold(0.05, ReduceLROnPlateau.ThresholdMode.ABS).cooldown(1).minLr(0.3), 0.5, 0.52, 0.51, 0.53, 0.6, 0.6, 0.6, 0.6);
        // epoch 1 bad → 0.5; epoch 2 in cooldown; epoch 3 bad → 0.3 (floored from 0.25); epoch 4 better; 5 bad → no change below 0.3
        assertArrayEquals(new double[] {1, 1, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3}, lr, TOL);
    }
}
