package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The teaching trace: per step and parameter, the gradient, the moments, the bias corrections and the update. */
class TraceTest {

    @Test
    void adamPrintsEveryQuantityOfItsUpdate() {
        Tensor w = Tensor.parameter(NDArray.of(new double[] {1, -2}, 2)).named("w");
        Optimizer adam = Adam.builder().lr(0.1).build(List.of(w));
        List<String> lines = new ArrayList<>();
        adam.trace(lines::add);
        w.setGrad(NDArray.of(new double[] {0.5, -1}, 2));
        adam.step();
        assertEquals(List.of(
                "Adam, t = 1, parameter 0 (w):",
                "  g = " + NDArray.of(new double[] {0.5, -1}, 2),
                "  m = " + NDArray.of(new double[] {0.05, -0.1}, 2),
                "  v = " + NDArray.of(new double[] {0.00025, 0.001}, 2),
                "  biasCorrection1 = 0.1",
                "  biasCorrection2 = 0.001",
                "  update = " + NDArray.of(new double[] {0.1, -0.1}, 2)), lines);
    }

    @Test
    void traceCanBeTurnedOff() {
        Tensor w = Tensor.parameter(NDArray.zeros(1));
        Optimizer sgd = SGD.builder().build(List.of(w));
        List<String> lines = new ArrayList<>();
        sgd.trace(lines::add);
        sgd.trace((java.io.PrintStream) null);
        w.setGrad(NDArray.ones(1));
        sgd.step();
        assertEquals(List.of(), lines);
    }

    @Test
    void everyOptimizerTracesItsState() {
        String[][] expected = {
                {"SGD", "b"}, {"RMSprop", "v"}, {"Adagrad", "s"}, {"Adadelta", "deltaX"}, {"Adamax", "u"},
                {"NAdam", "muProduct"}, {"AdaBound", "upperBound"}, {"AdamW", "biasCorrection2"}};
        List<Optimizer.Builder<?, ?>> builders = List.of(SGD.builder().momentum(0.9), RMSprop.builder(), Adagrad.builder(), Adadelta.builder(),
                Adamax.builder(), NAdam.builder(), AdaBound.builder(), AdamW.builder());
        for (int i = 0; i < builders.size(); i++) {
            Tensor w = Tensor.parameter(NDArray.ones(2));
            Optimizer opt = builders.get(i).build(List.of(w));
            List<String> lines = new ArrayList<>();
            opt.trace(lines::add);
            w.setGrad(NDArray.ones(2));
            opt.step();
            assertEquals(expected[i][0] + ", t = 1, parameter 0:", lines.get(0));
            String quantity = "  " + expected[i][1] + " = ";
            assertEquals(1, lines.stream().filter(l -> l.startsWith(quantity)).count(), expected[i][0] + " trace: " + lines);
            assertEquals(1, lines.stream().filter(l -> l.startsWith("  update = ")).count(), expected[i][0] + " trace: " + lines);
        }
    }
}
