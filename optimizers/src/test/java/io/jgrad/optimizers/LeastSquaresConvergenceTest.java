package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every optimiser finds the solution of a consistent least-squares problem, loss = mean((A·x − b)²). */
class LeastSquaresConvergenceTest {

    static final float[] X_TRUE = {1.5f, -2f, 0.5f};

    static Stream<Named<Supplier<Optimizer.Builder<?, ?>>>> builders() {
        return EveryOptimizer.builders();
    }

    /** A fixed, well-conditioned 8×3 matrix and b = A·x_true, so that the minimum is x_true with loss 0. */
    static Tensor[] problem() {
        NDArray a = NDArray.of(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, -1, 1}, 8, 3);
        NDArray b = a.matmul(NDArray.of(X_TRUE, 3, 1));
        return new Tensor[] {Tensor.of(a), Tensor.of(b)};
    }

    static Tensor loss(Tensor x, Tensor[] ab) {
        return ab[0].matmul(x).sub(ab[1]).square().mean();
    }

    @ParameterizedTest
    @MethodSource("builders")
    void convergesToTheLeastSquaresSolution(Supplier<Optimizer.Builder<?, ?>> builder) {
        Tensor[] ab = problem();
        Tensor x = Tensor.parameter(NDArray.zeros(3, 1));
        Optimizer opt = builder.get().build(List.of(x));
        double first = loss(x, ab).item();
        for (int i = 0; i < 1500; i++) {
            opt.zeroGrad();
            loss(x, ab).backward();
            opt.step();
        }
        float[] got = x.data().toFloatArray();
        double error = 0;
        for (int i = 0; i < 3; i++) error = Math.max(error, Math.abs(got[i] - X_TRUE[i]));
        double last = loss(x, ab).item();
        // RMSprop's steps stay about lr long near the minimum (it normalises the gradient away), hence 1e-2.
        assertTrue(error < 1e-2, opt.name() + " ended at " + Arrays.toString(got) + ", loss " + first + " → " + last);
    }
}
