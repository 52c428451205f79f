package io.jgrad.layers;

import io.jgrad.autograd.GradCheck;
import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static io.jgrad.layers.Reduction.MEAN;
import static io.jgrad.layers.Reduction.NONE;
import static io.jgrad.layers.Reduction.SUM;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GradCheck} in float64 through every loss and penalty, with every reduction and option that changes
 * the formula. {@code in[0]} is the prediction (requires a gradient); the other inputs are targets, weights
 * and parameters as each case needs.
 */
class LossGradCheckTest {

    record LossCase(String name, Function<Tensor[], Tensor> f, Function<Leaves, Tensor[]> inputs) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static LossCase check(String name, Function<Tensor[], Tensor> f, Function<Leaves, Tensor[]> inputs) {
        return new LossCase(name, f, inputs);
    }

    private static Tensor[] of(Tensor... t) {
        return t;
    }

    /** A prediction and a target that differ by at least 0.2 everywhere (L1's kink is at 0). */
    private static Tensor[] apart(Leaves r, int... shape) {
        Tensor x = r.normal(shape);
        return of(x, Tensor.of(x.data().add(r.awayFromZero(shape).data())));
    }

    private static Tensor ints(long... values) {
        return Tensor.of(NDArray.of(values, values.length));
    }

    static List<LossCase> losses() {
        List<LossCase> c = new ArrayList<>();
        c.add(check("mseLoss mean, gradient to input and target", in -> Losses.mseLoss(in[0], in[1]), r -> of(r.normal(3, 4), r.normal(3, 4))));
        c.add(check("mseLoss none", in -> Losses.mseLoss(in[0], in[1], NONE), r -> of(r.normal(3, 4), r.constant(-1, 1, 3, 4))));
        c.add(check("l1Loss sum", in -> Losses.l1Loss(in[0], in[1], SUM), r -> apart(r, 3, 4)));
        c.add(check("l1Loss none", in -> Losses.l1Loss(in[0], in[1], NONE), r -> apart(r, 2, 3)));
        c.add(check("smoothL1Loss beta 0.8, both branches", in -> Losses.smoothL1Loss(in[0], in[1], 0.8, MEAN), r -> of(r.normal(4, 5), r.constant(-1, 1, 4, 5))));
        c.add(check("smoothL1Loss beta 0 (L1)", in -> Losses.smoothL1Loss(in[0], in[1], 0, NONE), r -> apart(r, 3, 3)));
        c.add(check("huberLoss delta 0.6", in -> Losses.huberLoss(in[0], in[1], 0.6, SUM), r -> of(r.normal(4, 5), r.constant(-1, 1, 4, 5))));
        c.add(check("binaryCrossEntropy mean", in -> Losses.binaryCrossEntropy(in[0], in[1], null, MEAN),
                r -> of(r.uniform(0.05, 0.95, 3, 4), r.constant(0, 1, 3, 4))));
        c.add(check("binaryCrossEntropy none with weight", in -> Losses.binaryCrossEntropy(in[0], in[1], in[2], NONE),
                r -> of(r.uniform(0.05, 0.95, 3, 4), r.constant(0, 1, 3, 4), r.constant(0.5, 2, 4))));
        c.add(check("binaryCrossEntropyWithLogits mean, gradient to input and target", in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], null, null, MEAN),
                r -> of(r.normal(3, 4), r.uniform(0, 1, 3, 4))));
        c.add(check("binaryCrossEntropyWithLogits at logits 0 and ±30", in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], null, null, NONE),
                r -> of(Tensor.of(new double[] {0, 30, -30, 0}, 4).requiresGrad(true), Tensor.of(new double[] {1, 0.2, 0.7, 0}, 4))));
        c.add(check("binaryCrossEntropyWithLogits sum with weight and posWeight", in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], in[2], in[3], SUM),
                r -> of(r.normal(3, 4), r.constant(0, 1, 3, 4), r.constant(0.5, 2, 4), r.constant(0.5, 3, 4))));
        c.add(check("crossEntropy mean", in -> Losses.crossEntropy(in[0], in[1]), r -> of(r.normal(4, 5), r.classes(5, 4))));
        c.add(check("crossEntropy none", in -> Losses.crossEntropy(in[0], in[1], null, -100, NONE, 0), r -> of(r.normal(4, 5), r.classes(5, 4))));
        c.add(check("crossEntropy sum, label smoothing 0.2", in -> Losses.crossEntropy(in[0], in[1], null, -100, SUM, 0.2), r -> of(r.normal(4, 5), r.classes(5, 4))));
        c.add(check("crossEntropy mean with weights, ignoreIndex and smoothing, gradient to weights",
                in -> Losses.crossEntropy(in[0], in[1], in[2], 2, MEAN, 0.1), r -> of(r.normal(5, 3), ints(0, 2, 1, 2, 0), r.uniform(0.5, 2, 3))));
        c.add(check("crossEntropy spatial [2, 3, 2, 2]", in -> Losses.crossEntropy(in[0], in[1], null, -100, MEAN, 0.1), r -> of(r.normal(2, 3, 2, 2), r.classes(3, 2, 2, 2))));
        c.add(check("crossEntropy unbatched [5]", in -> Losses.crossEntropy(in[0], in[1], null, -100, NONE, 0.1),
                r -> of(r.normal(5), Tensor.of(NDArray.of(new long[] {3})).reshape())));
        c.add(check("crossEntropy probability targets, smoothing and weights", in -> Losses.crossEntropy(in[0], in[1], in[2], -100, MEAN, 0.1),
                r -> of(r.normal(3, 4), Tensor.of(r.uniform(0, 1, 3, 4).data().softmax(1)), r.constant(0.5, 2, 4))));
        c.add(check("nllLoss sum with weights and ignoreIndex", in -> Losses.nllLoss(in[0], in[1], in[2], 1, SUM),
                r -> of(r.normal(4, 3), ints(0, 1, 2, 1), r.constant(0.5, 2, 3))));
        c.add(check("nllLoss spatial mean", in -> Losses.nllLoss(in[0], in[1], null, -100, MEAN), r -> of(r.normal(2, 3, 4), r.classes(3, 2, 4))));
        c.add(check("l1Penalty", in -> Regularization.l1Penalty(List.of(in[0], in[1]), 0.3), r -> of(r.awayFromZero(3, 2), r.awayFromZero(4))));
        c.add(check("l2Penalty", in -> Regularization.l2Penalty(List.of(in[0], in[1]), 0.3), r -> of(r.normal(3, 2), r.normal(4))));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void gradientsMatchFiniteDifferences(LossCase c) {
        assertTrue(GradCheck.check(c.f(), c.inputs().apply(new Leaves(c.name().hashCode()))));
    }
}
