package io.jgrad.cli.parity;

import io.jgrad.autograd.Tensor;
import io.jgrad.optimizers.AdaBound;
import io.jgrad.optimizers.Adadelta;
import io.jgrad.optimizers.Adagrad;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.AdamW;
import io.jgrad.optimizers.Adamax;
import io.jgrad.optimizers.NAdam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.optimizers.ParamGroup;
import io.jgrad.optimizers.RMSprop;
import io.jgrad.optimizers.SGD;
import io.jgrad.tensor.io.SafeTensorsFile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Map.entry;

/**
 * Optimiser trajectories ({@code optim.<name>}): from tensor {@code param}, for k = 0 .. steps-1 set the
 * gradient to {@code grad<k>}, take one step and compare with {@code param_after<k>}. The fixture's PyTorch
 * constructor arguments become the hyperparameters of the one parameter group.
 */
final class OptimizerCases {

    /** PyTorch's argument names and jgrad's ({@code betas} becomes {@code beta1} and {@code beta2}). */
    private static final Map<String, String> NAMES = Map.ofEntries(
            entry("lr", Optimizer.LR), entry("weight_decay", Optimizer.WEIGHT_DECAY), entry("maximize", Optimizer.MAXIMIZE),
            entry("eps", Optimizer.EPS), entry("momentum", Optimizer.MOMENTUM), entry("dampening", SGD.DAMPENING),
            entry("nesterov", SGD.NESTEROV), entry("amsgrad", Adam.AMSGRAD), entry("alpha", RMSprop.ALPHA),
            entry("centered", RMSprop.CENTERED), entry("lr_decay", Adagrad.LR_DECAY),
            entry("initial_accumulator_value", Adagrad.INITIAL_ACCUMULATOR_VALUE), entry("rho", Adadelta.RHO),
            entry("momentum_decay", NAdam.MOMENTUM_DECAY), entry("final_lr", AdaBound.FINAL_LR), entry("gamma", AdaBound.GAMMA),
            entry("amsbound", AdaBound.AMSBOUND));

    private static final Set<String> FLAGS = Set.of("maximize", "nesterov", "amsgrad", "centered", "amsbound");

    private OptimizerCases() {
    }

    static void register(Map<String, TrajectoryCase> cases) {
        add(cases, "sgd", SGD.builder(), "momentum", "dampening", "nesterov");
        add(cases, "adam", Adam.builder(), "betas", "eps", "amsgrad");
        add(cases, "adamw", AdamW.builder(), "betas", "eps", "amsgrad");
        add(cases, "rmsprop", RMSprop.builder(), "alpha", "eps", "momentum", "centered");
        add(cases, "adagrad", Adagrad.builder(), "lr_decay", "initial_accumulator_value", "eps");
        add(cases, "adadelta", Adadelta.builder(), "rho", "eps");
        add(cases, "adamax", Adamax.builder(), "betas", "eps");
        add(cases, "nadam", NAdam.builder(), "betas", "eps", "momentum_decay");
        add(cases, "adabound", AdaBound.builder(), "betas", "eps", "final_lr", "gamma", "amsbound");
    }

    private static void add(Map<String, TrajectoryCase> cases, String name, Optimizer.Builder<?, ?> builder, String... own) {
        String op = "optim." + name;
        Set<String> known = new HashSet<>(Set.of(own));
        known.addAll(Set.of("lr", "weight_decay", "maximize"));
        cases.put(op, (fixture, attrs, rtol, atol) -> {
            attrs.requireOnly(op, known);
            Tensor param = Tensor.parameter(fixture.get("param").copy());
            ParamGroup group = group(param, attrs, known);
            // PyTorch fixed NAdam's look-ahead bias correction in 2.0; follow the version that made the fixture.
            if (name.equals("nadam")) group.set(NAdam.PYTORCH_113_BIAS_CORRECTION, generatedByPyTorch1(fixture));
            Optimizer optimizer = builder.build(group);
            return trajectory(fixture, optimizer, param, rtol, atol);
        });
    }

    private static boolean generatedByPyTorch1(SafeTensorsFile fixture) {
        String generator = fixture.metadata().getOrDefault("generator", "");
        return generator.startsWith("torch 1.");
    }

    private static ParamGroup group(Tensor param, Attrs attrs, Set<String> known) {
        ParamGroup group = new ParamGroup(List.of(param));
        for (String name : known) {
            if (!attrs.has(name)) continue;
            if (name.equals("betas")) {
                double[] betas = attrs.numbers("betas");
                if (betas.length != 2) throw new IllegalArgumentException("attribute 'betas' should hold two numbers");
                group.set(Optimizer.BETA1, betas[0]).set(Optimizer.BETA2, betas[1]);
            } else if (FLAGS.contains(name)) {
                group.set(NAMES.get(name), attrs.bool(name, false));
            } else {
                group.set(NAMES.get(name), attrs.number(name, 0));
            }
        }
        return group;
    }

    private static List<String> trajectory(SafeTensorsFile fixture, Optimizer optimizer, Tensor param, double rtol, double atol) {
        String steps = fixture.metadata().get("steps");
        if (steps == null) throw new IllegalArgumentException("optimizer fixture has no 'steps' in its metadata");
        List<String> problems = new ArrayList<>();
        for (int k = 0; k < Integer.parseInt(steps.trim()); k++) {
            param.setGrad(fixture.get("grad" + k));
            optimizer.step();
            ParityRunner.compare("param_after" + k, fixture.get("param_after" + k), param.data(), rtol, atol, problems);
        }
        return problems;
    }
}
