package io.jgrad.cli.parity;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Linear;
import io.jgrad.layers.Module;
import io.jgrad.layers.Sequential;
import io.jgrad.layers.Tanh;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.io.SafeTensorsFile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * End-to-end training ({@code e2e.mlp_tanh_adam}): {@code Sequential(Linear, Tanh, Linear)} from the fixture's
 * {@code init.*} weights, then per step: zero the gradients, cross-entropy of the network on {@code input}
 * against {@code target}, backward, one Adam step. Compares each step's loss with {@code losses} and the
 * final parameters with {@code final.*} — the whole training loop as a user writes it.
 */
final class EndToEndCases {

    private EndToEndCases() {
    }

    static void register(Map<String, TrajectoryCase> cases) {
        cases.put("e2e.mlp_tanh_adam", EndToEndCases::mlpTanhAdam);
    }

    private static List<String> mlpTanhAdam(SafeTensorsFile fixture, Attrs attrs, double rtol, double atol) {
        attrs.requireOnly("e2e.mlp_tanh_adam", Set.of("layers", "activation", "lr", "steps", "loss"));
        attrs.requireDefault("e2e.mlp_tanh_adam", "activation", "tanh");
        attrs.requireDefault("e2e.mlp_tanh_adam", "loss", "cross_entropy");
        double[] layers = attrs.numbers("layers");
        if (layers.length != 3) throw new UnsupportedCase("e2e.mlp_tanh_adam: only three layer sizes are supported, got " + layers.length);
        Module model = new Sequential(new Linear((int) layers[0], (int) layers[1]), new Tanh(), new Linear((int) layers[1], (int) layers[2]));
        Map<String, NDArray> init = new LinkedHashMap<>();
        for (String key : model.stateDict().keySet()) init.put(key, fixture.get("init." + key));
        model.loadStateDict(init);

        Optimizer adam = Adam.builder().lr(attrs.number("lr", 1e-3)).build(model.parameters());
        CrossEntropyLoss criterion = new CrossEntropyLoss();
        Tensor input = Tensor.of(fixture.get("input")), target = Tensor.of(fixture.get("target"));
        int steps = attrs.integer("steps", 0);
        double[] losses = new double[steps];
        for (int step = 0; step < steps; step++) {
            adam.zeroGrad();
            Tensor loss = criterion.forward(model.forward(input), target);
            losses[step] = loss.item();
            loss.backward();
            adam.step();
        }
        List<String> problems = new ArrayList<>();
        NDArray expectedLosses = fixture.get("losses");
        ParityRunner.compare("losses", expectedLosses, NDArray.of(losses, steps).to(expectedLosses.dtype()), rtol, atol, problems);
        model.stateDict().forEach((key, value) -> ParityRunner.compare("final." + key, fixture.get("final." + key), value, rtol, atol, problems));
        return problems;
    }
}
