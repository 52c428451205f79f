package io.jgrad.optimizers;

import io.jgrad.tensor.NDArray;

import java.util.List;
import java.util.Map;

/**
 * RMSprop (Hinton's lecture 6e, 2012), with the centred variant of Graves (2013) and momentum, as PyTorch
 * writes it. Defaults as in PyTorch: {@code lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0,
 * momentum = 0, centered = false}.
 *
 * <pre>
 * input: γ (lr), α (alpha), ε (eps), λ (weightDecay), μ (momentum), centered, θ0 (params)
 * v0 ← 0, gAvg0 ← 0, b0 ← 0
 * for t = 1, 2, ...
 *     g ← ∇f(θ_{t-1})
 *     if λ ≠ 0:  g ← g + λ·θ_{t-1}
 *     v_t ← α·v_{t-1} + (1 − α)·g²                 running mean of squared gradients
 *     ṽ ← v_t
 *     if centered:  gAvg_t ← α·gAvg_{t-1} + (1 − α)·g,   ṽ ← v_t − gAvg_t²    (a running variance)
 *     if μ > 0:  b_t ← μ·b_{t-1} + g/(√ṽ + ε),   θ_t ← θ_{t-1} − γ·b_t
 *     else       θ_t ← θ_{t-1} − γ·g/(√ṽ + ε)
 * </pre>
 */
public final class RMSprop extends Optimizer {

    public static final String ALPHA = "alpha", CENTERED = "centered";

    public static Builder builder() {
        return new Builder();
    }

    private RMSprop(List<ParamGroup> groups, Map<String, Object> defaults) {
        super("RMSprop", groups, defaults, check -> check.nonNegative(LR, EPS, MOMENTUM, WEIGHT_DECAY, ALPHA));
    }

    @Override
    protected void update(NDArray theta, NDArray g, ParamState state, ParamGroup group) {
        double lr = group.lr(), alpha = group.number(ALPHA), eps = group.number(EPS), mu = group.number(MOMENTUM);
        g = withL2(g, theta, group.number(WEIGHT_DECAY));

        NDArray v = movingAverageOfSquares(state.buffer("v", theta::zerosLike), alpha, g);
        trace("v", v);
        NDArray vTilde = v;
        if (group.flag(CENTERED)) {
            NDArray gAvg = movingAverage(state.buffer("gAvg", theta::zerosLike), alpha, g);
            trace("gAvg", gAvg);
            vTilde = v.sub(gAvg.mul(gAvg));
        }
        NDArray denominator = vTilde.sqrt().add(eps);
        if (mu > 0) {
            NDArray b = state.buffer("b", theta::zerosLike);
            b.mulInPlace(mu).addInPlace(g.div(denominator));
            trace("b", b);
            theta.subInPlace(b.mul(lr));
        } else {
            theta.subInPlace(g.mul(lr).div(denominator));
        }
    }

    /** RMSprop's hyperparameters. */
    public static final class Builder extends Optimizer.Builder<Builder, RMSprop> {

        private Builder() {
            super(RMSprop::new, 1e-2);
            alpha(0.99);
            eps(1e-8);
            momentum(0);
            centered(false);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** {@code α}: decay rate of the running mean of squared gradients. */
        public Builder alpha(double alpha) {
            return set(ALPHA, alpha);
        }

        /** {@code ε}: added to the denominator so that it is never zero. */
        public Builder eps(double eps) {
            return set(EPS, eps);
        }

        /** {@code μ}: momentum of the normalised step. */
        public Builder momentum(double momentum) {
            return set(MOMENTUM, momentum);
        }

        /** Normalise by an estimate of the gradient's variance instead of its raw second moment. */
        public Builder centered(boolean centered) {
            return set(CENTERED, centered);
        }
    }
}
