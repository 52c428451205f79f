package io.jgrad.optimizers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The hyperparameters every optimiser of the Adam family has (Adam, AdamW, Adamax, NAdam, AdaBound):
 * the moment decay rates {@code β1, β2} and the denominator's {@code ε}, with PyTorch's defaults
 * {@code (0.9, 0.999)} and {@code 1e-8}.
 */
public abstract class AdamFamilyBuilder<B extends AdamFamilyBuilder<B, O>, O extends Optimizer> extends Optimizer.Builder<B, O> {

    protected AdamFamilyBuilder(BiFunction<List<ParamGroup>, Map<String, Object>, O> factory, double lr) {
        super(factory, lr, betasAndEps());
    }

    private static Map<String, Object> betasAndEps() {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put(Optimizer.BETA1, 0.9);
        defaults.put(Optimizer.BETA2, 0.999);
        defaults.put(Optimizer.EPS, 1e-8);
        return defaults;
    }

    /** {@code β1, β2}: decay rates of the first and second moment estimates. */
    public B betas(double beta1, double beta2) {
        set(Optimizer.BETA1, beta1);
        return set(Optimizer.BETA2, beta2);
    }

    /** {@code ε}: added to the denominator so that it is never zero. */
    public B eps(double eps) {
        return set(Optimizer.EPS, eps);
    }
}
