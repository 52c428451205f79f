package io.jgrad.spark;

import io.jgrad.autograd.Tensor;
import io.jgrad.optimizers.AdaBound;
import io.jgrad.optimizers.Adadelta;
import io.jgrad.optimizers.Adagrad;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.AdamW;
import io.jgrad.optimizers.Adamax;
import io.jgrad.optimizers.NAdam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.optimizers.RMSprop;
import io.jgrad.optimizers.SGD;

import java.util.List;

/**
 * {@code --optimizer NAME} of {@link SparkTrain}: the same names, defaults and learning rates as
 * {@code jgrad train}, as a serialisable factory that executors can run.
 */
final class OptimizerNames {

    static final List<String> NAMES = List.of("adam", "adamw", "sgd", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "adabound");

    private OptimizerNames() {
    }

    static double defaultLr(String name) {
        return switch (name) {
            case "sgd", "adagrad" -> 0.05;
            case "adadelta" -> 1.0;
            case "adamax", "nadam" -> 2e-3;
            default -> 1e-3;
        };
    }

    static TrainingSetup.OptimizerFactory factory(String name, double lr, double weightDecay) {
        if (!NAMES.contains(name)) throw new IllegalArgumentException("--optimizer expects one of " + String.join("|", NAMES) + ", got '" + name + "'");
        return params -> build(name, params, lr, weightDecay);
    }

    private static Optimizer build(String name, List<Tensor> params, double lr, double weightDecay) {
        Optimizer.Builder<?, ?> b = switch (name) {
            case "adam" -> Adam.builder();
            case "adamw" -> AdamW.builder();
            case "sgd" -> SGD.builder().momentum(0.9);
            case "rmsprop" -> RMSprop.builder();
            case "adagrad" -> Adagrad.builder();
            case "adadelta" -> Adadelta.builder();
            case "adamax" -> Adamax.builder();
            case "nadam" -> NAdam.builder();
            default -> AdaBound.builder();
        };
        return b.lr(lr).weightDecay(weightDecay).build(params);
    }
}
