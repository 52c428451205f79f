package io.jgrad.optimizers;

import io.jgrad.tensor.NDArray;

import java.util.List;
import java.util.Map;

/**
 * AdaBound (Luo, Xiong, Liu and Sun, 2019), as in the authors' reference implementation: Adam whose
 * per-element step size is clipped to bounds that start wide ({@code [0, ∞)}) and close in on
 * {@code finalLr}, so that training moves from Adam towards SGD. AMSBound is the AMSGrad variant. Defaults
 * as in the reference: {@code lr = 1e-3, betas = (0.9, 0.999), finalLr = 0.1, gamma = 1e-3, eps = 1e-8,
 * weightDecay = 0, amsbound = false}.
 *
 * <pre>
 * input: α (lr), α0 (baseLr: the group's lr when the optimiser was made), β1, β2 (betas), α* (finalLr),
 *        γ (gamma), ε (eps), λ (weightDecay), θ0 (params)
 * m0 ← 0, v0 ← 0, vMax0 ← 0
 * for t = 1, 2, ...
 *     g ← ∇f(θ_{t-1})
 *     if λ ≠ 0:  g ← g + λ·θ_{t-1}
 *     m_t ← β1·m_{t-1} + (1 − β1)·g
 *     v_t ← β2·v_{t-1} + (1 − β2)·g²
 *     if amsbound:  vMax_t ← max(vMax_{t-1}, v_t), and use vMax_t for v_t below
 *     biasCorrection1 ← 1 − β1^t,  biasCorrection2 ← 1 − β2^t
 *     stepSize ← α·√biasCorrection2 / biasCorrection1
 *     finalLr ← α*·α/α0                                    follows lr schedules
 *     lowerBound ← finalLr·(1 − 1/(γt + 1)),  upperBound ← finalLr·(1 + 1/(γt))
 *     η ← clamp(stepSize / (√v_t + ε), lowerBound, upperBound)
 *     θ_t ← θ_{t-1} − η·m_t
 * </pre>
 */
public final class AdaBound extends Optimizer {

    public static final String FINAL_LR = "finalLr", GAMMA = "gamma", AMSBOUND = "amsbound", BASE_LR = "baseLr";

    public static Builder builder() {
        return new Builder();
    }

    private AdaBound(List<ParamGroup> groups, Map<String, Object> defaults) {
        super("AdaBound", groups, defaults, check -> check.nonNegative(LR, EPS, WEIGHT_DECAY, FINAL_LR).fraction(BETA1, BETA2, GAMMA));
        // The reference remembers each group's starting lr to scale finalLr when a schedule changes lr.
        // Kept in the group so that the state dict carries it.
        for (ParamGroup group : paramGroups()) group.set(BASE_LR, group.lr());
    }

    @Override
    protected void update(NDArray theta, NDArray g, ParamState state, ParamGroup group) {
        double lr = group.lr(), beta1 = group.number(BETA1), beta2 = group.number(BETA2), eps = group.number(EPS);
        double gamma = group.number(GAMMA);
        long t = state.step();
        g = withL2(g, theta, group.number(WEIGHT_DECAY));

        NDArray m = movingAverage(state.buffer("m", theta::zerosLike), beta1, g);
        NDArray v = movingAverageOfSquares(state.buffer("v", theta::zerosLike), beta2, g);
        trace("m", m);
        trace("v", v);
        if (group.flag(AMSBOUND)) {
            v = largestSoFar(state, v);
            trace("vMax", v);
        }
        double biasCorrection1 = biasCorrection(beta1, t);
        double biasCorrection2 = biasCorrection(beta2, t);
        double stepSize = lr * Math.sqrt(biasCorrection2) / biasCorrection1;
        double finalLr = group.number(FINAL_LR) * lr / group.number(BASE_LR);
        double lowerBound = finalLr * (1 - 1 / (gamma * t + 1));
        double upperBound = finalLr * (1 + 1 / (gamma * t));
        trace("biasCorrection1", biasCorrection1);
        trace("biasCorrection2", biasCorrection2);
        trace("lowerBound", lowerBound);
        trace("upperBound", upperBound);

        NDArray eta = v.sqrt().add(eps).rdiv(stepSize).clamp(lowerBound, upperBound);
        trace("eta", eta);
        theta.subInPlace(eta.mul(m));
    }

    /** AdaBound's hyperparameters. */
    public static final class Builder extends AdamFamilyBuilder<Builder, AdaBound> {

        private Builder() {
            super(AdaBound::new, 1e-3);
            finalLr(0.1);
            gamma(1e-3);
            amsbound(false);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** {@code α*}: the SGD learning rate both bounds converge to. */
        public Builder finalLr(double finalLr) {
            return set(FINAL_LR, finalLr);
        }

        /** {@code γ}: how fast the bounds close in (after about {@code 1/γ} steps they are within 2× of finalLr). */
        public Builder gamma(double gamma) {
            return set(GAMMA, gamma);
        }

        /** Use the largest second moment seen so far (AMSBound). */
        public Builder amsbound(boolean amsbound) {
            return set(AMSBOUND, amsbound);
        }
    }
}
