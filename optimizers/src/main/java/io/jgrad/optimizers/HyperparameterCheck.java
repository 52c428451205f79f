package io.jgrad.optimizers;

/**
 * Checks one parameter group's hyperparameters when an optimiser is made, so that a bad value fails at once
 * with a message that names the optimiser, the hyperparameter, its value and the rule (PyTorch's rules).
 */
public final class HyperparameterCheck {

    private final String optimizer;
    private final ParamGroup group;
    private final String where;

    HyperparameterCheck(String optimizer, ParamGroup group, int index, int groupCount) {
        this.optimizer = optimizer;
        this.group = group;
        this.where = groupCount > 1 ? " in param group " + index : "";
    }

    /** Every named number must be {@code >= 0}. */
    public HyperparameterCheck nonNegative(String... names) {
        for (String name : names) {
            double v = group.number(name);
            require(v >= 0, name, v, "0 <= " + name);
        }
        return this;
    }

    /** Every named number must lie in {@code [0, 1)}, like Adam's betas. */
    public HyperparameterCheck fraction(String... names) {
        for (String name : names) {
            double v = group.number(name);
            require(v >= 0 && v < 1, name, v, "0 <= " + name + " < 1");
        }
        return this;
    }

    /** The named number must lie in {@code [0, 1]}. */
    public HyperparameterCheck unitInterval(String name) {
        double v = group.number(name);
        require(v >= 0 && v <= 1, name, v, "0 <= " + name + " <= 1");
        return this;
    }

    /** Fails with {@code rule} unless {@code ok}; written so that NaN fails every rule. */
    public HyperparameterCheck require(boolean ok, String name, Object value, String rule) {
        if (!ok) throw new IllegalArgumentException(optimizer + ": invalid " + name + " " + value + where + " (expected " + rule + ")");
        return this;
    }

    public ParamGroup group() {
        return group;
    }
}
