package io.jgrad.spark;

import io.jgrad.layers.Module;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.NDArray;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the driver broadcasts at the start of a round: the global step it starts at, how many steps it has,
 * the model's state dict, and (for parameter averaging) the optimiser's state dict with the current
 * hyperparameters, so that a schedule's learning rate on the driver reaches every task.
 */
record RoundInput(long firstStep, int steps, Map<String, TensorSnapshot> model, List<Map<String, TensorSnapshot>> optimizerState,
                  List<Map<String, Object>> paramGroups) implements Serializable {

    static RoundInput of(long firstStep, int steps, Module model, Optimizer optimizer) {
        Map<String, TensorSnapshot> state = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> state.put(k, TensorSnapshot.of(v, "model entry '" + k + "'")));
        if (optimizer == null) return new RoundInput(firstStep, steps, state, null, null);
        Optimizer.StateDict dict = optimizer.stateDict();
        List<Map<String, TensorSnapshot>> perParam = new ArrayList<>();
        for (int i = 0; i < dict.state().size(); i++) {
            Map<String, TensorSnapshot> entries = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : dict.state().get(i).entrySet()) {
                entries.put(e.getKey(), TensorSnapshot.of(e.getValue(), optimizer.name() + " state." + i + "." + e.getKey()));
            }
            perParam.add(entries);
        }
        List<Map<String, Object>> groups = new ArrayList<>();
        for (Map<String, Object> g : dict.paramGroups()) groups.add(new LinkedHashMap<>(g));
        return new RoundInput(firstStep, steps, state, perParam, groups);
    }

    /** The model state as arrays, for {@link Module#loadStateDict}. */
    Map<String, NDArray> modelArrays() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        model.forEach((k, v) -> out.put(k, v.toNDArray()));
        return out;
    }

    /** The optimiser state as a state dict, for {@link Optimizer#loadStateDict}. */
    Optimizer.StateDict optimizerDict() {
        List<Map<String, NDArray>> perParam = new ArrayList<>();
        for (Map<String, TensorSnapshot> entries : optimizerState) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            entries.forEach((k, v) -> arrays.put(k, v.toNDArray()));
            perParam.add(arrays);
        }
        return new Optimizer.StateDict(perParam, paramGroups);
    }
}
