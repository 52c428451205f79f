package io.jgrad.cli.parity;

import io.jgrad.autograd.Tensor;
import io.jgrad.optimizers.CosineAnnealingLR;
import io.jgrad.optimizers.ExponentialLR;
import io.jgrad.optimizers.LRScheduler;
import io.jgrad.optimizers.LinearWarmup;
import io.jgrad.optimizers.OneCycleLR;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.optimizers.ReduceLROnPlateau;
import io.jgrad.optimizers.SGD;
import io.jgrad.optimizers.StepLR;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.io.SafeTensorsFile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Learning-rate schedules ({@code lr_scheduler.<name>}): tensor {@code lr} holds the rate in effect during
 * epoch e = 0, 1, ...; the schedule steps once after each epoch ({@code reduce_on_plateau} with
 * {@code metric[e]}). The schedules drive an SGD optimiser whose learning rate starts at {@code base_lr}.
 */
final class ScheduleCases {

    private ScheduleCases() {
    }

    static void register(Map<String, TrajectoryCase> cases) {
        add(cases, "step_lr", Set.of("step_size", "gamma"),
                (a, opt, f) -> stepping(new StepLR(opt, (int) required(a, "step_size"), a.number("gamma", 0.1))));
        add(cases, "exponential_lr", Set.of("gamma"),
                (a, opt, f) -> stepping(new ExponentialLR(opt, required(a, "gamma"))));
        add(cases, "cosine_annealing_lr", Set.of("T_max", "eta_min"),
                (a, opt, f) -> stepping(new CosineAnnealingLR(opt, (int) required(a, "T_max"), a.number("eta_min", 0))));
        add(cases, "linear_lr", Set.of("start_factor", "end_factor", "total_iters"), (a, opt, f) -> {
            a.requireDefault("lr_scheduler.linear_lr", "end_factor", 1.0);
            return stepping(new LinearWarmup(opt, a.number("start_factor", 1.0 / 3), a.integer("total_iters", 5)));
        });
        add(cases, "one_cycle_lr", Set.of("max_lr", "total_steps", "epochs", "steps_per_epoch", "pct_start", "anneal_strategy",
                "cycle_momentum", "base_momentum", "max_momentum", "div_factor", "final_div_factor", "three_phase"),
                (a, opt, f) -> stepping(oneCycle(a).build(opt)));
        add(cases, "reduce_on_plateau", Set.of("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"),
                (a, opt, f) -> {
                    ReduceLROnPlateau plateau = plateau(a).build(opt);
                    NDArray metric = f.get("metric");
                    return e -> plateau.step(metric.get(e));
                });
    }

    /** Makes the schedule over {@code optimizer} and returns what to do at the end of epoch e. */
    private interface ScheduleFactory {
        IntConsumer make(Attrs attrs, Optimizer optimizer, SafeTensorsFile fixture);
    }

    private static void add(Map<String, TrajectoryCase> cases, String name, Set<String> own, ScheduleFactory factory) {
        String op = "lr_scheduler." + name;
        Set<String> known = new HashSet<>(own);
        known.add("base_lr");
        cases.put(op, (fixture, attrs, rtol, atol) -> {
            attrs.requireOnly(op, known);
            Optimizer optimizer = SGD.builder().lr(required(attrs, "base_lr")).build(List.of(Tensor.parameter(NDArray.zeros(1))));
            IntConsumer endOfEpoch = factory.make(attrs, optimizer, fixture);
            NDArray expected = fixture.get("lr");
            int epochs = expected.numel();
            double[] lr = new double[epochs];
            for (int e = 0; e < epochs; e++) {
                lr[e] = optimizer.paramGroups().get(0).lr();
                if (e < epochs - 1) endOfEpoch.accept(e);
            }
            List<String> problems = new ArrayList<>();
            ParityRunner.compare("lr", expected, NDArray.of(lr, expected.shape()), rtol, atol, problems);
            return problems;
        });
    }

    private static IntConsumer stepping(LRScheduler schedule) {
        return e -> schedule.step();
    }

    private static OneCycleLR.Builder oneCycle(Attrs a) {
        int total = a.has("total_steps") ? a.integer("total_steps", 0) : (int) required(a, "epochs") * (int) required(a, "steps_per_epoch");
        double[] maxLr = a.numbers("max_lr");
        if (maxLr.length == 0) throw new IllegalArgumentException("attribute 'max_lr' is missing");
        return OneCycleLR.builder(maxLr[0], total)
                .maxLrPerGroup(maxLr)
                .pctStart(a.number("pct_start", 0.3))
                .annealStrategy(OneCycleLR.AnnealStrategy.valueOf(a.string("anneal_strategy", "cos").toUpperCase(Locale.ROOT)))
                .cycleMomentum(a.bool("cycle_momentum", true))
                .baseMomentum(a.number("base_momentum", 0.85))
                .maxMomentum(a.number("max_momentum", 0.95))
                .divFactor(a.number("div_factor", 25))
                .finalDivFactor(a.number("final_div_factor", 1e4))
                .threePhase(a.bool("three_phase", false));
    }

    private static ReduceLROnPlateau.Builder plateau(Attrs a) {
        return ReduceLROnPlateau.builder()
                .mode(ReduceLROnPlateau.Mode.valueOf(a.string("mode", "min").toUpperCase(Locale.ROOT)))
                .factor(a.number("factor", 0.1))
                .patience(a.integer("patience", 10))
                .threshold(a.number("threshold", 1e-4), ReduceLROnPlateau.ThresholdMode.valueOf(a.string("threshold_mode", "rel").toUpperCase(Locale.ROOT)))
                .cooldown(a.integer("cooldown", 0))
                .minLr(a.numbers("min_lr", 0)[0])
                .eps(a.number("eps", 1e-8));
    }

    private static double required(Attrs a, String name) {
        if (!a.has(name)) throw new IllegalArgumentException("attribute '" + name + "' is missing");
        return a.number(name, 0);
    }
}
