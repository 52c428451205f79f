package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Adam, AdamW and SGD take a fused kernel for each step unless told not to or traced; either way the
 * parameters and the state must come out the same, bit for bit, on both CPU backends.
 */
class FusedUpdateTest {

    private static final int STEPS = 5;

    static Stream<Named<Supplier<Optimizer.Builder<?, ?>>>> fusedOptimizers() {
        return Stream.of(
                named("Adam", () -> Adam.builder().lr(0.05)),
                named("Adam L2 amsgrad", () -> Adam.builder().lr(0.05).weightDecay(0.1).amsgrad(true)),
                named("Adam maximize", () -> Adam.builder().lr(0.05).maximize(true)),
                named("AdamW", () -> AdamW.builder().lr(0.05).weightDecay(0.1)),
                named("AdamW amsgrad maximize", () -> AdamW.builder().lr(0.05).weightDecay(0.1).amsgrad(true).maximize(true)),
                named("SGD", () -> SGD.builder().lr(0.05)),
                named("SGD momentum dampening", () -> SGD.builder().lr(0.02).momentum(0.9).dampening(0.1)),
                named("SGD nesterov weight decay", () -> SGD.builder().lr(0.02).momentum(0.9).nesterov(true).weightDecay(1e-2)),
                named("SGD momentum maximize weight decay", () -> SGD.builder().lr(0.02).momentum(0.5).weightDecay(1e-2).maximize(true)));
    }

    static Stream<Arguments> backendsAndOptimizers() {
        return Stream.of("reference", "vector").flatMap(b -> fusedOptimizers().map(o -> Arguments.of(b, o)));
    }

    /**
     * Parameters of odd sizes, a float64 one, and one whose gradient is a transposed view (which does not
     * qualify for the fused kernel, so that one takes the composed path in both runs).
     */
    private static List<Tensor> params() {
        Generator gen = new Generator(5);
        return List.of(Tensor.parameter(NDArray.randn(gen, 7, 13)), Tensor.parameter(NDArray.randn(gen, 4099)),
                Tensor.parameter(NDArray.randn(gen, DType.FLOAT64, 33)), Tensor.parameter(NDArray.randn(gen, 3, 5)));
    }

    private static void steps(Optimizer opt, List<Tensor> params) {
        for (int k = 0; k < STEPS; k++) {
            Generator gen = new Generator(200 + k);
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                NDArray g = NDArray.randn(gen, p.dtype(), p.shape());
                if (i == params.size() - 1) g = NDArray.randn(gen, p.dtype(), p.shape(1), p.shape(0)).t();
                p.setGrad(g);
            }
            opt.step();
        }
    }

    /** Every element's bits (float32 values widen to double exactly). */
    static long[] bits(NDArray x) {
        double[] values = x.toDoubleArray();
        long[] bits = new long[values.length];
        for (int i = 0; i < values.length; i++) bits[i] = Double.doubleToRawLongBits(values[i]);
        return bits;
    }

    static void assertSameParametersAndState(Optimizer expected, List<Tensor> expectedParams, Optimizer actual, List<Tensor> actualParams) {
        for (int i = 0; i < expectedParams.size(); i++) {
            String what = actual.name() + " parameter " + i;
            assertArrayEquals(bits(expectedParams.get(i).data()), bits(actualParams.get(i).data()), what);
            ParamState e = expected.state(expectedParams.get(i)), a = actual.state(actualParams.get(i));
            assertEquals(e.step(), a.step(), what + " step");
            assertEquals(List.copyOf(e.buffers().keySet()), List.copyOf(a.buffers().keySet()), what + " buffer names, in order");
            for (Map.Entry<String, NDArray> buffer : e.buffers().entrySet()) {
                NDArray other = a.buffers().get(buffer.getKey());
                assertEquals(buffer.getValue().dtype(), other.dtype(), what + " " + buffer.getKey() + " dtype");
                assertArrayEquals(bits(buffer.getValue()), bits(other), what + " " + buffer.getKey());
            }
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("backendsAndOptimizers")
    void fusedStepsEqualComposedSteps(String backend, Supplier<Optimizer.Builder<?, ?>> builder) {
        Backends.use(backend);
        try {
            List<Tensor> composedParams = params(), fusedParams = params();
            Optimizer composed = builder.get().build(composedParams), fused = builder.get().build(fusedParams);
            composed.useFusedUpdates(false);
            steps(composed, composedParams);
            steps(fused, fusedParams);
            assertSameParametersAndState(composed, composedParams, fused, fusedParams);
        } finally {
            Backends.use(null);
        }
    }

    /** The trace shows the composed update's quantities, so a traced step never takes the kernel; the numbers agree. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fusedOptimizers")
    void tracedStepsEqualFusedSteps(Supplier<Optimizer.Builder<?, ?>> builder) {
        List<Tensor> tracedParams = params(), fusedParams = params();
        Optimizer traced = builder.get().build(tracedParams), fused = builder.get().build(fusedParams);
        List<String> lines = new ArrayList<>();
        traced.trace(lines::add);
        steps(traced, tracedParams);
        steps(fused, fusedParams);
        assertSameParametersAndState(traced, tracedParams, fused, fusedParams);
        assertEquals(STEPS * params().size(), lines.stream().filter(l -> l.contains(", t = ")).count(), "one trace header per parameter and step");
    }

    /** A state dict saved after fused steps resumes under the composed update (and the other way round) with the same bits. */
    @Test
    void stateDictsMoveBetweenFusedAndComposedSteps() {
        Supplier<Optimizer.Builder<?, ?>> builder = () -> AdamW.builder().lr(0.05).amsgrad(true);
        List<Tensor> straightParams = params();
        Optimizer straight = builder.get().build(straightParams);
        steps(straight, straightParams);
        steps(straight, straightParams);

        List<Tensor> firstParams = params();
        Optimizer first = builder.get().build(firstParams);
        first.useFusedUpdates(false);
        steps(first, firstParams);
        List<Tensor> resumedParams = firstParams.stream().map(p -> Tensor.parameter(p.data().copy())).toList();
        Optimizer resumed = builder.get().build(resumedParams);
        resumed.loadStateDict(first.stateDict());
        steps(resumed, resumedParams);
        assertSameParametersAndState(straight, straightParams, resumed, resumedParams);
    }

    private static Named<Supplier<Optimizer.Builder<?, ?>>> named(String name, Supplier<Optimizer.Builder<?, ?>> builder) {
        return Named.of(name, builder);
    }
}
