package io.jgrad.optimizers;

import io.jgrad.tensor.NDArray;

import java.util.List;
import java.util.Map;

/**
 * NAdam (Dozat, 2016): Adam with Nesterov momentum, whose momentum coefficient {@code μ_t} warms up with
 * PyTorch's schedule. Defaults as in PyTorch: {@code lr = 2e-3, betas = (0.9, 0.999), eps = 1e-8,
 * weightDecay = 0, momentumDecay = 4e-3}.
 *
 * <pre>
 * input: γ (lr), β1, β2 (betas), ε (eps), λ (weightDecay), ψ (momentumDecay), θ0 (params)
 * m0 ← 0, v0 ← 0, muProduct0 ← 1
 * for t = 1, 2, ...
 *     g ← ∇f(θ_{t-1})
 *     if λ ≠ 0:  g ← g + λ·θ_{t-1}
 *     μ_t ← β1·(1 − ½·0.96^(t·ψ)),   μ_{t+1} ← β1·(1 − ½·0.96^((t+1)·ψ))
 *     muProduct_t ← muProduct_{t-1}·μ_t                     ∏ μ_i for i = 1..t
 *     muProductNext ← muProduct_t·μ_{t+1}                    ∏ μ_i for i = 1..t+1 (see below)
 *     m_t ← β1·m_{t-1} + (1 − β1)·g
 *     v_t ← β2·v_{t-1} + (1 − β2)·g²
 *     biasCorrection2 ← 1 − β2^t
 *     denominator ← √(v_t / biasCorrection2) + ε
 *     θ_t ← θ_{t-1} − γ(1 − μ_t)/(1 − muProduct_t) · g/denominator
 *                   − γ·μ_{t+1}/(1 − muProductNext) · m_t/denominator
 * </pre>
 *
 * <p>Dozat's bias correction for the look-ahead term is {@code 1 − ∏ μ_i for i = 1..t+1}, that is
 * {@code muProduct_t·μ_{t+1}}, as PyTorch computes it since 2.0. PyTorch up to 1.13 multiplied by
 * {@code μ_t} once more (fixed by pytorch/pytorch#92699); {@link Builder#pytorch113BiasCorrection(boolean)}
 * reproduces that value, for comparing with results made by those versions. It changes the look-ahead
 * coefficient by about 12% at {@code t = 1} (with {@code β1 = 0.9}), less at every later step as
 * {@code muProduct} goes to 0.
 *
 * <p>{@code muProduct} is kept in the parameter's dtype, like PyTorch's float32 {@code mu_product}.
 */
public final class NAdam extends Optimizer {

    public static final String MOMENTUM_DECAY = "momentumDecay";
    /** Flag: use PyTorch 1.13's look-ahead bias correction (see the class comment). */
    public static final String PYTORCH_113_BIAS_CORRECTION = "pytorch113BiasCorrection";

    public static Builder builder() {
        return new Builder();
    }

    private NAdam(List<ParamGroup> groups, Map<String, Object> defaults) {
        super("NAdam", groups, defaults, check -> check.nonNegative(LR, EPS, WEIGHT_DECAY, MOMENTUM_DECAY).fraction(BETA1, BETA2));
    }

    @Override
    protected void update(NDArray theta, NDArray g, ParamState state, ParamGroup group) {
        double lr = group.lr(), beta1 = group.number(BETA1), beta2 = group.number(BETA2), eps = group.number(EPS);
        double psi = group.number(MOMENTUM_DECAY);
        long t = state.step();
        g = withL2(g, theta, group.number(WEIGHT_DECAY));

        double mu = beta1 * (1 - 0.5 * Math.pow(0.96, t * psi));
        double muNext = beta1 * (1 - 0.5 * Math.pow(0.96, (t + 1) * psi));
        NDArray muProductArray = state.buffer("muProduct", () -> theta.scalarLike(1));
        double muProduct = muProductArray.mulInPlace(mu).item();
        double muProductNext = group.flag(PYTORCH_113_BIAS_CORRECTION) ? muProduct * mu * muNext : muProduct * muNext;

        NDArray m = movingAverage(state.buffer("m", theta::zerosLike), beta1, g);
        NDArray v = movingAverageOfSquares(state.buffer("v", theta::zerosLike), beta2, g);
        double biasCorrection2 = biasCorrection(beta2, t);
        NDArray denominator = v.div(biasCorrection2).sqrt().add(eps);
        trace("mu", mu);
        trace("muNext", muNext);
        trace("muProduct", muProduct);
        trace("muProductNext", muProductNext);
        trace("m", m);
        trace("v", v);
        trace("biasCorrection2", biasCorrection2);

        // Two separate subtractions, as PyTorch rounds them.
        theta.subInPlace(g.mul(lr * (1 - mu) / (1 - muProduct)).div(denominator));
        theta.subInPlace(m.mul(lr * muNext / (1 - muProductNext)).div(denominator));
    }

    /** NAdam's hyperparameters. */
    public static final class Builder extends AdamFamilyBuilder<Builder, NAdam> {

        private Builder() {
            super(NAdam::new, 2e-3);
            momentumDecay(4e-3);
            set(PYTORCH_113_BIAS_CORRECTION, false);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** {@code ψ}: how fast {@code μ_t} rises from {@code β1/2} towards {@code β1}. */
        public Builder momentumDecay(double momentumDecay) {
            return set(MOMENTUM_DECAY, momentumDecay);
        }

        /** Reproduces PyTorch 1.13's look-ahead bias correction {@code muProduct_t·μ_t·μ_{t+1}} (off by default). */
        public Builder pytorch113BiasCorrection(boolean legacy) {
            return set(PYTORCH_113_BIAS_CORRECTION, legacy);
        }
    }
}
