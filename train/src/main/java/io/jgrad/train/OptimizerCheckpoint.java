package io.jgrad.train;

import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.io.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An optimiser's {@link Optimizer.StateDict} as safetensors content: per-parameter tensors under
 * {@code state.<parameter index>.<name>} (e.g. {@code state.0.m}, {@code state.0.step}, as PyTorch numbers its
 * optimiser state) and the parameter groups' hyperparameters as JSON in the metadata key {@code param_groups}.
 */
final class OptimizerCheckpoint {

    static final String GROUPS_KEY = "param_groups";
    private static final Pattern KEY = Pattern.compile("state\\.(\\d+)\\.(.+)");

    private OptimizerCheckpoint() {
    }

    static Map<String, NDArray> tensors(Optimizer.StateDict dict) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < dict.state().size(); i++) {
            final int index = i;
            dict.state().get(i).forEach((name, value) -> out.put("state." + index + "." + name, value));
        }
        return out;
    }

    static String groupsJson(Optimizer.StateDict dict) {
        return Json.write(dict.paramGroups());
    }

    /** Rebuilds a state dict for an optimiser with {@code parameterCount} parameters. */
    @SuppressWarnings("unchecked")
    static Optimizer.StateDict stateDict(Map<String, NDArray> tensors, String groupsJson, int parameterCount, String source) {
        List<Map<String, NDArray>> state = new ArrayList<>();
        for (int i = 0; i < parameterCount; i++) state.add(new LinkedHashMap<>());
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            Matcher m = KEY.matcher(e.getKey());
            if (!m.matches()) throw new IllegalArgumentException(source + ": unexpected optimizer state key '" + e.getKey() + "'");
            int index = Integer.parseInt(m.group(1));
            if (index >= parameterCount) {
                throw new IllegalArgumentException(source + ": optimizer state for parameter " + index + ", the optimizer has " + parameterCount);
            }
            state.get(index).put(m.group(2), e.getValue());
        }
        if (groupsJson == null) throw new IllegalArgumentException(source + ": metadata has no '" + GROUPS_KEY + "'");
        Object groups = Json.parse(groupsJson);
        if (!(groups instanceof List<?> list)) throw new IllegalArgumentException(source + ": '" + GROUPS_KEY + "' is not a JSON list");
        List<Map<String, Object>> paramGroups = new ArrayList<>();
        for (Object g : list) {
            if (!(g instanceof Map<?, ?>)) throw new IllegalArgumentException(source + ": a param group is not a JSON object");
            paramGroups.add((Map<String, Object>) g);
        }
        return new Optimizer.StateDict(state, paramGroups);
    }
}
