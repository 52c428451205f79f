package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters that share hyperparameters: one entry of PyTorch's {@code optimizer.param_groups}.
 *
 * <p>Hyperparameters are named numbers and flags ({@code "lr"}, {@code "beta1"}, {@code "amsgrad"}). A group
 * sets only the ones it wants to differ; the optimizer fills in the rest from its defaults and checks them
 * all. Learning-rate schedules change {@code "lr"} (and {@code "momentum"} or {@code "beta1"}) between steps.
 *
 * <pre>{@code
 * Optimizer opt = SGD.builder().lr(0.01).momentum(0.9)
 *         .build(new ParamGroup(body.parameters()), new ParamGroup(head.parameters()).set("lr", 0.1));
 * }</pre>
 */
public final class ParamGroup {

    private final List<Tensor> params;
    private final Map<String, Object> hyperparameters = new LinkedHashMap<>();

    public ParamGroup(List<Tensor> params) {
        if (params == null || params.isEmpty()) throw new IllegalArgumentException("ParamGroup: a parameter group needs at least one parameter");
        for (Tensor p : params) {
            if (p == null) throw new IllegalArgumentException("ParamGroup: a parameter is null");
            if (!p.isLeaf()) throw new IllegalArgumentException("ParamGroup: can't optimize a non-leaf tensor (made by " + p.gradFn() + ")");
        }
        this.params = List.copyOf(params);
    }

    public List<Tensor> params() {
        return params;
    }

    /** Sets a numeric hyperparameter; returns this. */
    public ParamGroup set(String name, double value) {
        hyperparameters.put(name, value);
        return this;
    }

    /** Sets an on/off hyperparameter ({@code "nesterov"}, {@code "amsgrad"}, ...); returns this. */
    public ParamGroup set(String name, boolean value) {
        hyperparameters.put(name, value);
        return this;
    }

    public boolean has(String name) {
        return hyperparameters.containsKey(name);
    }

    public double lr() {
        return number(Optimizer.LR);
    }

    public void setLr(double lr) {
        set(Optimizer.LR, lr);
    }

    public double number(String name) {
        if (get(name) instanceof Double d) return d;
        throw new IllegalStateException("ParamGroup: hyperparameter '" + name + "' is a flag, not a number");
    }

    public boolean flag(String name) {
        if (get(name) instanceof Boolean b) return b;
        throw new IllegalStateException("ParamGroup: hyperparameter '" + name + "' is a number, not a flag");
    }

    /** Every hyperparameter by name (read-only view). */
    public Map<String, Object> hyperparameters() {
        return Collections.unmodifiableMap(hyperparameters);
    }

    private Object get(String name) {
        Object v = hyperparameters.get(name);
        if (v == null) throw new IllegalStateException("ParamGroup: no hyperparameter '" + name + "' (known: " + hyperparameters.keySet() + ")");
        return v;
    }

    @Override
    public String toString() {
        return "ParamGroup(" + params.size() + " params, " + hyperparameters + ")";
    }
}
