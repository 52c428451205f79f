package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.jgrad.optimizers.FusedUpdateTest.assertSameParametersAndState;

/**
 * A step's fused updates run as one backend call per batch of parameters that share the step's scalars, dtype
 * and backend ({@link FusedSteps}, {@code Backend.adamStepAll/sgdStepAll}); parameters, step counts and state
 * must come out bit for bit as with one call per parameter and as with the composed update, on both CPU
 * backends. The parameters mix what splits or stresses batches: two groups of different learning rates, a
 * float64 parameter, an empty one, a 0-d one, a transposed gradient (composed path), and one parameter that
 * gets a gradient only every other step (so its step count, hence its bias corrections, differ).
 */
class MultiTensorStepTest {

    private static final int STEPS = 6;

    static Stream<Arguments> backendsAndOptimizers() {
        return Stream.of("reference", "vector").flatMap(b -> FusedUpdateTest.fusedOptimizers().map(o -> Arguments.of(b, o)));
    }

    private static List<List<Tensor>> groups() {
        Generator gen = new Generator(11);
        List<Tensor> first = List.of(Tensor.parameter(NDArray.randn(gen, 7, 13)), Tensor.parameter(NDArray.randn(gen, 4099)),
                Tensor.parameter(NDArray.zeros(0, 5)), Tensor.parameter(NDArray.randn(gen, DType.FLOAT64, 33)), Tensor.parameter(NDArray.randn(gen, 3, 5)));
        List<Tensor> second = List.of(Tensor.parameter(NDArray.randn(gen, 257)), Tensor.parameter(NDArray.scalar(0.75)),
                Tensor.parameter(NDArray.randn(gen, 8193)));
        return List.of(first, second);
    }

    private static Optimizer build(Supplier<Optimizer.Builder<?, ?>> builder, List<List<Tensor>> groups) {
        return builder.get().build(new ParamGroup(groups.get(0)), new ParamGroup(groups.get(1)).set(Optimizer.LR, 0.01));
    }

    private static void steps(Optimizer opt, List<List<Tensor>> groups) {
        for (int k = 0; k < STEPS; k++) {
            Generator gen = new Generator(300 + k);
            for (List<Tensor> group : groups) {
                for (Tensor p : group) {
                    NDArray g = NDArray.randn(gen, p.dtype(), p.shape());
                    if (p.rank() == 2 && p.shape(0) == 3) g = NDArray.randn(gen, p.dtype(), p.shape(1), p.shape(0)).t();
                    boolean skipped = p.rank() == 1 && p.shape(0) == 257 && k % 2 == 1;
                    p.setGrad(skipped ? null : g);
                }
            }
            opt.step();
        }
    }

    private static List<Tensor> all(List<List<Tensor>> groups) {
        return groups.stream().flatMap(List::stream).toList();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("backendsAndOptimizers")
    void oneCallPerBatchEqualsOneCallPerParameterAndTheComposedUpdate(String backend, Supplier<Optimizer.Builder<?, ?>> builder) {
        Backends.use(backend);
        try {
            List<List<Tensor>> multiParams = groups(), perParameterParams = groups(), composedParams = groups();
            Optimizer multi = build(builder, multiParams), perParameter = build(builder, perParameterParams), composed = build(builder, composedParams);
            perParameter.useMultiTensorUpdates(false);
            composed.useFusedUpdates(false);
            steps(multi, multiParams);
            steps(perParameter, perParameterParams);
            steps(composed, composedParams);
            assertSameParametersAndState(perParameter, all(perParameterParams), multi, all(multiParams));
            assertSameParametersAndState(composed, all(composedParams), multi, all(multiParams));
        } finally {
            Backends.use(null);
        }
    }
}
