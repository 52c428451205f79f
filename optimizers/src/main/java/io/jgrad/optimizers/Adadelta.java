package io.jgrad.optimizers;

import io.jgrad.tensor.NDArray;

import java.util.List;
import java.util.Map;

/**
 * Adadelta (Zeiler, 2012, Algorithm 1), with PyTorch's extra learning rate that scales the step. Defaults as
 * in PyTorch: {@code lr = 1, rho = 0.9, eps = 1e-6, weightDecay = 0}.
 *
 * <pre>
 * input: γ (lr), ρ (rho), ε (eps), λ (weightDecay), θ0 (params)
 * v0 ← 0, u0 ← 0
 * for t = 1, 2, ...
 *     g ← ∇f(θ_{t-1})
 *     if λ ≠ 0:  g ← g + λ·θ_{t-1}
 *     v_t ← ρ·v_{t-1} + (1 − ρ)·g²                  running mean of squared gradients
 *     Δx_t ← √(u_{t-1} + ε) / √(v_t + ε) · g         step in the units of θ
 *     u_t ← ρ·u_{t-1} + (1 − ρ)·Δx_t²               running mean of squared steps
 *     θ_t ← θ_{t-1} − γ·Δx_t
 * </pre>
 */
public final class Adadelta extends Optimizer {

    public static final String RHO = "rho";

    public static Builder builder() {
        return new Builder();
    }

    private Adadelta(List<ParamGroup> groups, Map<String, Object> defaults) {
        super("Adadelta", groups, defaults, check -> check.nonNegative(LR, EPS, WEIGHT_DECAY).unitInterval(RHO));
    }

    @Override
    protected void update(NDArray theta, NDArray g, ParamState state, ParamGroup group) {
        double lr = group.lr(), rho = group.number(RHO), eps = group.number(EPS);
        g = withL2(g, theta, group.number(WEIGHT_DECAY));

        NDArray v = movingAverageOfSquares(state.buffer("v", theta::zerosLike), rho, g);
        NDArray u = state.buffer("u", theta::zerosLike);
        NDArray deltaX = u.add(eps).sqrt().div(v.add(eps).sqrt()).mul(g);
        movingAverageOfSquares(u, rho, deltaX);
        trace("v", v);
        trace("deltaX", deltaX);
        trace("u", u);
        theta.subInPlace(deltaX.mul(lr));
    }

    /** Adadelta's hyperparameters. */
    public static final class Builder extends Optimizer.Builder<Builder, Adadelta> {

        private Builder() {
            super(Adadelta::new, 1.0);
            rho(0.9);
            eps(1e-6);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** {@code ρ}: decay rate of both running means. */
        public Builder rho(double rho) {
            return set(RHO, rho);
        }

        /** {@code ε}: keeps both square roots away from zero (and starts the steps moving). */
        public Builder eps(double eps) {
            return set(EPS, eps);
        }
    }
}
