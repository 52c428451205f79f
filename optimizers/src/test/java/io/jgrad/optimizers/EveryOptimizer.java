package io.jgrad.optimizers;

import org.junit.jupiter.api.Named;

import java.util.function.Supplier;
import java.util.stream.Stream;

/** Every optimiser, configured to solve a small least-squares problem, for parameterised tests. */
final class EveryOptimizer {

    private EveryOptimizer() {
    }

    /** Builders with a learning rate that converges on {@link LeastSquaresConvergenceTest}'s problem. */
    static Stream<Named<Supplier<Optimizer.Builder<?, ?>>>> builders() {
        return Stream.of(
                named("SGD", () -> SGD.builder().lr(0.05)),
                named("SGD momentum", () -> SGD.builder().lr(0.02).momentum(0.9).dampening(0.1)),
                named("SGD nesterov", () -> SGD.builder().lr(0.02).momentum(0.9).nesterov(true).weightDecay(1e-4)),
                named("Adam", () -> Adam.builder().lr(0.05)),
                named("Adam amsgrad", () -> Adam.builder().lr(0.05).amsgrad(true)),
                named("AdamW", () -> AdamW.builder().lr(0.05).weightDecay(1e-4)),
                named("RMSprop", () -> RMSprop.builder().lr(0.01)),
                named("RMSprop centered momentum", () -> RMSprop.builder().lr(0.005).centered(true).momentum(0.5)),
                named("Adagrad", () -> Adagrad.builder().lr(0.5)),
                named("Adadelta", () -> Adadelta.builder().rho(0.99).eps(1e-4)),
                named("Adamax", () -> Adamax.builder().lr(0.05)),
                named("NAdam", () -> NAdam.builder().lr(0.05)),
                named("AdaBound", () -> AdaBound.builder().lr(0.05).finalLr(0.05)),
                named("AdaBound amsbound", () -> AdaBound.builder().lr(0.05).finalLr(0.05).amsbound(true)));
    }

    private static Named<Supplier<Optimizer.Builder<?, ?>>> named(String name, Supplier<Optimizer.Builder<?, ?>> builder) {
        return Named.of(name, builder);
    }
}
