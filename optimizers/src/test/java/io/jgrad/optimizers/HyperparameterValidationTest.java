package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Invalid hyperparameters fail when the optimiser is made, naming the optimiser, the value and the rule. */
class HyperparameterValidationTest {

    private static final List<Tensor> PARAMS = List.of(Tensor.parameter(NDArray.zeros(2)));

    private static void assertMessage(String expected, Executable build) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, build).getMessage());
    }

    @Test
    void learningRates() {
        assertMessage("SGD: invalid lr -0.1 (expected 0 <= lr)", () -> SGD.builder().lr(-0.1).build(PARAMS));
        assertMessage("Adam: invalid lr NaN (expected 0 <= lr)", () -> Adam.builder().lr(Double.NaN).build(PARAMS));
        assertMessage("Adagrad: invalid lrDecay -1.0 (expected 0 <= lrDecay)", () -> Adagrad.builder().lrDecay(-1).build(PARAMS));
    }

    @Test
    void betas() {
        assertMessage("Adam: invalid beta1 1.0 (expected 0 <= beta1 < 1)", () -> Adam.builder().betas(1.0, 0.999).build(PARAMS));
        assertMessage("AdamW: invalid beta2 -0.5 (expected 0 <= beta2 < 1)", () -> AdamW.builder().betas(0.9, -0.5).build(PARAMS));
        assertMessage("Adamax: invalid beta1 1.5 (expected 0 <= beta1 < 1)", () -> Adamax.builder().betas(1.5, 0.9).build(PARAMS));
        assertMessage("NAdam: invalid beta2 1.0 (expected 0 <= beta2 < 1)", () -> NAdam.builder().betas(0.9, 1.0).build(PARAMS));
    }

    @Test
    void otherRanges() {
        assertMessage("SGD: invalid momentum -0.9 (expected 0 <= momentum)", () -> SGD.builder().momentum(-0.9).build(PARAMS));
        assertMessage("SGD: invalid nesterov true (expected momentum > 0 and dampening = 0)", () -> SGD.builder().nesterov(true).build(PARAMS));
        assertMessage("RMSprop: invalid alpha -0.99 (expected 0 <= alpha)", () -> RMSprop.builder().alpha(-0.99).build(PARAMS));
        assertMessage("RMSprop: invalid eps -1.0E-8 (expected 0 <= eps)", () -> RMSprop.builder().eps(-1e-8).build(PARAMS));
        assertMessage("Adadelta: invalid rho 1.1 (expected 0 <= rho <= 1)", () -> Adadelta.builder().rho(1.1).build(PARAMS));
        assertMessage("Adagrad: invalid initialAccumulatorValue -1.0 (expected 0 <= initialAccumulatorValue)",
                () -> Adagrad.builder().initialAccumulatorValue(-1).build(PARAMS));
        assertMessage("NAdam: invalid momentumDecay -0.004 (expected 0 <= momentumDecay)", () -> NAdam.builder().momentumDecay(-0.004).build(PARAMS));
        assertMessage("AdaBound: invalid gamma 1.0 (expected 0 <= gamma < 1)", () -> AdaBound.builder().gamma(1).build(PARAMS));
        assertMessage("AdaBound: invalid finalLr -0.1 (expected 0 <= finalLr)", () -> AdaBound.builder().finalLr(-0.1).build(PARAMS));
        assertMessage("Adam: invalid weightDecay -0.01 (expected 0 <= weightDecay)", () -> Adam.builder().weightDecay(-0.01).build(PARAMS));
    }

    @Test
    void withSeveralGroupsTheMessageNamesTheGroup() {
        ParamGroup good = new ParamGroup(List.of(Tensor.parameter(NDArray.zeros(1))));
        ParamGroup bad = new ParamGroup(List.of(Tensor.parameter(NDArray.zeros(1)))).set(Optimizer.LR, -1.0);
        assertMessage("Adam: invalid lr -1.0 in param group 1 (expected 0 <= lr)", () -> Adam.builder().build(good, bad));
    }

    @Test
    void schedules() {
        Optimizer sgd = SGD.builder().lr(0.1).build(PARAMS);
        assertMessage("StepLR: stepSize must be >= 1, got 0", () -> new StepLR(sgd, 0));
        assertMessage("CosineAnnealingLR: tMax must be >= 1, got 0", () -> new CosineAnnealingLR(sgd, 0));
        assertMessage("LinearWarmup: startFactor must be in (0, 1], got 0.0", () -> new LinearWarmup(sgd, 0, 5));
        assertMessage("OneCycleLR: pctStart must be in [0, 1], got 1.5", () -> OneCycleLR.builder(0.1, 10).pctStart(1.5).build(sgd));
        assertMessage("ReduceLROnPlateau: factor must be in [0, 1), got 1.0", () -> ReduceLROnPlateau.builder().factor(1).build(sgd));
        Optimizer adagrad = Adagrad.builder().build(PARAMS);
        assertMessage("OneCycleLR: Adagrad has no momentum or beta1 to cycle; use cycleMomentum(false)", () -> OneCycleLR.builder(0.1, 10).build(adagrad));
    }
}
