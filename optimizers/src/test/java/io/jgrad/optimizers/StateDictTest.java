package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code stateDict()} / {@code loadStateDict} resume training exactly, bit for bit. */
class StateDictTest {

    private static final int K = 4;

    static Stream<Named<Supplier<Optimizer.Builder<?, ?>>>> builders() {
        return EveryOptimizer.builders();
    }

    /** Two float32 parameters, the second in its own group with another learning rate. */
    private static List<Tensor> params() {
        Generator gen = new Generator(3);
        return List.of(Tensor.parameter(NDArray.randn(gen, 2, 3)), Tensor.parameter(NDArray.randn(gen, 4)));
    }

    private static Optimizer build(Supplier<Optimizer.Builder<?, ?>> builder, List<Tensor> params) {
        return builder.get().build(new ParamGroup(List.of(params.get(0))), new ParamGroup(List.of(params.get(1))).set(Optimizer.LR, 0.003));
    }

    /** Steps {@code from} .. {@code to}-1 with gradients that depend only on the step number. */
    private static void steps(Optimizer opt, List<Tensor> params, int from, int to) {
        for (int k = from; k < to; k++) {
            Generator gen = new Generator(100 + k);
            for (Tensor p : params) p.setGrad(NDArray.randn(gen, p.shape()));
            opt.step();
        }
    }

    @ParameterizedTest
    @MethodSource("builders")
    void kStepsSaveLoadKStepsEqualsTwoKSteps(Supplier<Optimizer.Builder<?, ?>> builder) {
        List<Tensor> straight = params();
        Optimizer reference = build(builder, straight);
        steps(reference, straight, 0, 2 * K);

        List<Tensor> first = params();
        Optimizer before = build(builder, first);
        steps(before, first, 0, K);
        Optimizer.StateDict saved = before.stateDict();
        List<Tensor> resumed = first.stream().map(p -> Tensor.parameter(p.data().copy())).toList();   // the weights' checkpoint
        steps(before, first, K, K + 1);   // training goes on: the saved state must not move with it

        Optimizer after = build(builder, resumed);
        after.loadStateDict(saved);
        steps(after, resumed, K, 2 * K);
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(straight.get(i).data().toFloatArray(), resumed.get(i).data().toFloatArray(), 0f, reference.name() + " parameter " + i);
        }
    }

    @Test
    void groupHyperparametersAreSavedAndRestored() {
        List<Tensor> ps = params();
        Optimizer opt = SGD.builder().lr(0.1).momentum(0.9).build(ps);
        opt.paramGroups().get(0).setLr(0.025);   // as a schedule would
        Optimizer fresh = SGD.builder().lr(0.1).momentum(0.9).build(params());
        fresh.loadStateDict(opt.stateDict());
        assertEquals(0.025, fresh.paramGroups().get(0).lr());
        assertEquals(0.9, fresh.paramGroups().get(0).number(Optimizer.MOMENTUM));
    }

    @Test
    void stateHoldsTheStepCountAndTheMomentsInTheParameterDtype() {
        List<Tensor> ps = params();
        Optimizer opt = Adam.builder().amsgrad(true).build(ps);
        steps(opt, ps, 0, 3);
        Map<String, NDArray> state = opt.stateDict().state().get(1);
        assertEquals(List.of("step", "m", "v", "vMax"), List.copyOf(state.keySet()));
        assertEquals(3, (long) state.get("step").item());
        assertEquals(ps.get(1).dtype(), state.get("m").dtype());
    }

    @Test
    void aParameterThatNeverHadAGradientHasNoState() {
        List<Tensor> ps = params();
        Optimizer opt = Adam.builder().build(ps);
        float[] untouched = ps.get(1).data().toFloatArray();
        ps.get(0).setGrad(NDArray.ones(2, 3));
        opt.step();
        assertEquals(1, opt.state(ps.get(0)).step());
        assertEquals(null, opt.state(ps.get(1)));
        assertArrayEquals(untouched, ps.get(1).data().toFloatArray(), 0f);
        assertTrue(opt.stateDict().state().get(1).isEmpty());
    }

    @Test
    void loadingRejectsAnotherShapeNamingTheKey() {
        Optimizer opt = Adam.builder().build(List.of(Tensor.parameter(NDArray.zeros(2, 3))));
        opt.paramGroups().get(0).params().get(0).setGrad(NDArray.ones(2, 3));
        opt.step();
        Optimizer other = Adam.builder().build(List.of(Tensor.parameter(NDArray.zeros(3, 2))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(opt.stateDict()));
        assertEquals("Adam: state.0.m has shape [2, 3], the parameter has shape [3, 2]", e.getMessage());
    }

    @Test
    void loadingRejectsAnotherOptimizersState() {
        Optimizer adam = Adam.builder().build(params());
        Optimizer sgd = SGD.builder().build(params());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sgd.loadStateDict(adam.stateDict()));
        assertTrue(e.getMessage().startsWith("SGD: param group 0 of the loaded state has hyperparameters"), e.getMessage());
    }

    @Test
    void loadingRejectsAnotherNumberOfParameters() {
        Optimizer two = Adam.builder().build(params());
        Optimizer one = Adam.builder().build(List.of(Tensor.parameter(NDArray.zeros(2, 3))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> one.loadStateDict(two.stateDict()));
        assertEquals("Adam: loaded state has 2 parameters, this optimizer has 1", e.getMessage());
    }
}
