package io.jgrad.layers;

import io.jgrad.autograd.GradCheck;
import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GradCheck} in float64 with PyTorch's tolerances through every layer, with respect to its input and
 * every parameter. Layers are built with float64 parameters ({@link Init#setDefaultDType}).
 */
class LayerGradCheckTest {

    private DType previous;

    @BeforeEach
    void float64() {
        previous = Init.setDefaultDType(DType.FLOAT64);
        Init.manualSeed(11);
    }

    @AfterEach
    void restore() {
        Init.setDefaultDType(previous);
    }

    record LayerCase(String name, Supplier<Module> layer, Function<Leaves, Tensor> input) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static LayerCase check(String name, Supplier<Module> layer, Function<Leaves, Tensor> input) {
        return new LayerCase(name, layer, input);
    }

    static List<LayerCase> layers() {
        List<LayerCase> c = new ArrayList<>();
        c.add(check("Linear(3, 4) on [2, 3]", () -> new Linear(3, 4), r -> r.normal(2, 3)));
        c.add(check("Linear(3, 2, no bias) on [2, 2, 3]", () -> new Linear(3, 2, false), r -> r.normal(2, 2, 3)));
        c.add(check("Conv1d(2, 4, 3) on [2, 2, 6]", () -> new Conv1d(2, 4, 3), r -> r.normal(2, 2, 6)));
        c.add(check("Conv1d stride 2, padding 1, dilation 2, groups 2, no bias", () -> new Conv1d(2, 4, 3, 2, 1, 2, 2, false), r -> r.normal(2, 2, 9)));
        c.add(check("Conv2d(2, 3, 3, stride 1, padding 1) on [2, 2, 4, 4]", () -> new Conv2d(2, 3, 3, 1, 1), r -> r.normal(2, 2, 4, 4)));
        c.add(check("Conv2d stride 2, dilation 2, groups 2, no bias", () -> new Conv2d(2, 4, 2, 2, 1, 2, 2, false), r -> r.normal(1, 2, 6, 5)));
        c.add(check("MaxPool2d(2) on distinct values", () -> new MaxPool2d(2), r -> r.distinct(2, 2, 4, 4)));
        c.add(check("MaxPool2d(3, stride 2, padding 1)", () -> new MaxPool2d(3, 2, 1), r -> r.distinct(1, 2, 5, 5)));
        c.add(check("AvgPool2d(2)", () -> new AvgPool2d(2), r -> r.normal(2, 2, 4, 4)));
        c.add(check("AvgPool2d(3, stride 2, padding 1)", () -> new AvgPool2d(3, 2, 1), r -> r.normal(1, 2, 5, 5)));
        c.add(check("AdaptiveAvgPool2d(3, 2) on 7x5 (overlapping windows)", () -> new AdaptiveAvgPool2d(3, 2), r -> r.normal(1, 2, 7, 5)));
        c.add(check("AdaptiveAvgPool2d(2) on 4x6 (equal windows)", () -> new AdaptiveAvgPool2d(2), r -> r.normal(2, 1, 4, 6)));
        c.add(check("Flatten() on [2, 3, 4]", Flatten::new, r -> r.normal(2, 3, 4)));
        c.add(check("Flatten(0, 1) on [2, 3, 4]", () -> new Flatten(0, 1), r -> r.normal(2, 3, 4)));
        c.add(check("BatchNorm1d(3) training on [5, 3]", () -> new BatchNorm1d(3), r -> r.normal(5, 3)));
        c.add(check("BatchNorm1d(3) training on [2, 3, 4]", () -> new BatchNorm1d(3), r -> r.normal(2, 3, 4)));
        c.add(check("BatchNorm1d(3) eval on [2, 3, 4]", () -> afterOneStep(new BatchNorm1d(3), 4, 3), r -> r.normal(2, 3, 4)));
        c.add(check("BatchNorm2d(2) training on [2, 2, 3, 3]", () -> new BatchNorm2d(2), r -> r.normal(2, 2, 3, 3)));
        c.add(check("BatchNorm2d(2) eval", () -> afterOneStep(new BatchNorm2d(2), 3, 2, 2, 2), r -> r.normal(2, 2, 3, 3)));
        c.add(check("BatchNorm2d(2) without affine or running stats, eval", () -> new BatchNorm2d(2, 1e-5, 0.1, false, false).eval(), r -> r.normal(2, 2, 2, 3)));
        c.add(check("LayerNorm(4) on [2, 3, 4]", () -> new LayerNorm(4), r -> r.normal(2, 3, 4)));
        c.add(check("LayerNorm(3, 4) on [2, 3, 4]", () -> new LayerNorm(3, 4), r -> r.normal(2, 3, 4)));
        c.add(check("Embedding(5, 3) on [2, 3] indices", () -> new Embedding(5, 3), r -> r.classes(5, 2, 3)));
        c.add(check("Dropout(0.4) with a fixed mask", () -> new ReseededDropout(0.4), r -> r.normal(3, 5)));
        c.add(check("ReLU", ReLU::new, r -> r.awayFromZero(3, 4)));
        c.add(check("LeakyReLU(0.2)", () -> new LeakyReLU(0.2), r -> r.awayFromZero(3, 4)));
        c.add(check("Sigmoid", Sigmoid::new, r -> r.normal(3, 4)));
        c.add(check("Tanh", Tanh::new, r -> r.normal(3, 4)));
        c.add(check("GELU", GELU::new, r -> r.normal(3, 4)));
        c.add(check("GELU('tanh')", () -> new GELU("tanh"), r -> r.normal(3, 4)));
        c.add(check("Softmax(1)", () -> new Softmax(1), r -> r.normal(2, 4, 3)));
        c.add(check("LogSoftmax(-1)", () -> new LogSoftmax(-1), r -> r.normal(2, 4, 3)));
        c.add(check("Identity", Identity::new, r -> r.normal(2, 3)));
        c.add(check("ResidualBlock(2, 2), identity shortcut", () -> new ResidualBlock(2, 2), r -> r.normal(2, 2, 3, 3)));
        c.add(check("ResidualBlock(2, 3, stride 2), projection shortcut", () -> new ResidualBlock(2, 3, 2), r -> r.normal(2, 2, 4, 4)));
        c.add(check("Sequential(Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear)",
                () -> new Sequential(new Conv2d(1, 2, 3, 1, 1), new BatchNorm2d(2), new ReLU(), new AvgPool2d(2), new Flatten(), new Linear(8, 3)),
                r -> r.normal(2, 1, 4, 4)));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void gradientsOfInputAndParametersMatchFiniteDifferences(LayerCase c) {
        Module layer = c.layer().get();
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(c.input().apply(new Leaves(c.name().hashCode())));
        inputs.addAll(layer.parameters());
        assertTrue(GradCheck.check(in -> layer.forward(in[0]), inputs.toArray(Tensor[]::new)));
    }

    /** A batch norm whose running statistics moved away from 0 and 1 by one training step, then put in eval mode. */
    private static Module afterOneStep(BatchNorm bn, int... shape) {
        bn.forward(Tensor.of(NDArray.randn(new Generator(3), DType.FLOAT64, shape).mul(2).add(1)));
        return bn.eval();
    }

    /** Dropout drawing the same mask on every call, so that finite differences see one function. */
    private static final class ReseededDropout extends Module {
        private final double p;

        ReseededDropout(double p) {
            this.p = p;
        }

        @Override
        public Tensor forward(Tensor input) {
            return new Dropout(p, new Generator(5)).forward(input);
        }
    }
}
