package io.jgrad.optimizers;

import io.jgrad.tensor.NDArray;

import java.util.List;
import java.util.Map;

/**
 * Adamax (Kingma and Ba, 2015, Algorithm 2): Adam with the infinity norm in place of the second moment.
 * Defaults as in PyTorch: {@code lr = 2e-3, betas = (0.9, 0.999), eps = 1e-8, weightDecay = 0}.
 *
 * <pre>
 * input: γ (lr), β1, β2 (betas), ε (eps), λ (weightDecay), θ0 (params)
 * m0 ← 0, u0 ← 0
 * for t = 1, 2, ...
 *     g ← ∇f(θ_{t-1})
 *     if λ ≠ 0:  g ← g + λ·θ_{t-1}
 *     m_t ← β1·m_{t-1} + (1 − β1)·g
 *     u_t ← max(β2·u_{t-1}, |g| + ε)                exponentially weighted infinity norm
 *     biasCorrection1 ← 1 − β1^t
 *     θ_t ← θ_{t-1} − γ/biasCorrection1 · m_t/u_t
 * </pre>
 *
 * PyTorch adds {@code ε} inside the max (the paper has none), so {@code u} is never zero.
 */
public final class Adamax extends Optimizer {

    public static Builder builder() {
        return new Builder();
    }

    private Adamax(List<ParamGroup> groups, Map<String, Object> defaults) {
        super("Adamax", groups, defaults, check -> check.nonNegative(LR, EPS, WEIGHT_DECAY).fraction(BETA1, BETA2));
    }

    @Override
    protected void update(NDArray theta, NDArray g, ParamState state, ParamGroup group) {
        double lr = group.lr(), beta1 = group.number(BETA1), beta2 = group.number(BETA2), eps = group.number(EPS);
        g = withL2(g, theta, group.number(WEIGHT_DECAY));

        NDArray m = movingAverage(state.buffer("m", theta::zerosLike), beta1, g);
        NDArray u = state.buffer("u", theta::zerosLike);
        u.assign(u.mul(beta2).maximum(g.abs().add(eps)));
        double biasCorrection1 = biasCorrection(beta1, state.step());
        trace("m", m);
        trace("u", u);
        trace("biasCorrection1", biasCorrection1);
        theta.subInPlace(m.mul(lr / biasCorrection1).div(u));
    }

    /** Adamax's hyperparameters. */
    public static final class Builder extends AdamFamilyBuilder<Builder, Adamax> {

        private Builder() {
            super(Adamax::new, 2e-3);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
