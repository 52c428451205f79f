package io.jgrad.optimizers;

import io.jgrad.tensor.FusedUpdates;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Adam (Kingma and Ba, 2015, Algorithm 1) with PyTorch's L2 weight decay and the AMSGrad variant
 * (Reddi et al., 2018). Defaults as in PyTorch: {@code lr = 1e-3, betas = (0.9, 0.999), eps = 1e-8,
 * weightDecay = 0, amsgrad = false}.
 *
 * <pre>
 * input: γ (lr), β1, β2 (betas), ε (eps), λ (weightDecay), θ0 (params)
 * m0 ← 0, v0 ← 0, vMax0 ← 0
 * for t = 1, 2, ...
 *     g ← ∇f(θ_{t-1})
 *     if λ ≠ 0:  g ← g + λ·θ_{t-1}
 *     m_t ← β1·m_{t-1} + (1 − β1)·g                 first moment estimate
 *     v_t ← β2·v_{t-1} + (1 − β2)·g²                second moment estimate
 *     biasCorrection1 ← 1 − β1^t,  biasCorrection2 ← 1 − β2^t
 *     if amsgrad:  vMax_t ← max(vMax_{t-1}, v_t), and use vMax_t for v_t below
 *     θ_t ← θ_{t-1} − γ/biasCorrection1 · m_t / (√v_t / √biasCorrection2 + ε)
 * </pre>
 *
 * The last line is the paper's {@code θ − γ·m̂/(√v̂ + ε)} with {@code m̂ = m/biasCorrection1} and
 * {@code v̂ = v/biasCorrection2}, in the order PyTorch evaluates it. When the arrays allow, a step runs these
 * lines as one fused kernel ({@link AdamStep}), which gives the same bits; a traced step always runs them one
 * by one.
 */
public class Adam extends Optimizer {

    public static final String AMSGRAD = "amsgrad";

    /** AdamW: λ decays the weights instead of being added to the gradient. */
    private final boolean decoupledWeightDecay;

    /** The wildcard lets {@link AdamW#builder()} return a {@code Builder<AdamW>}. */
    public static Builder<? extends Adam> builder() {
        return new Builder<>((groups, defaults) -> new Adam("Adam", false, groups, defaults), 0.0);
    }

    Adam(String name, boolean decoupledWeightDecay, List<ParamGroup> groups, Map<String, Object> defaults) {
        super(name, groups, defaults, check -> check.nonNegative(LR, EPS, WEIGHT_DECAY).fraction(BETA1, BETA2));
        this.decoupledWeightDecay = decoupledWeightDecay;
    }

    @Override
    protected void update(NDArray theta, NDArray g, ParamState state, ParamGroup group) {
        double lr = group.lr(), beta1 = group.number(BETA1), beta2 = group.number(BETA2), eps = group.number(EPS);
        long t = state.step();
        g = weightDecay(theta, g, lr, group.number(WEIGHT_DECAY));

        NDArray m = movingAverage(state.buffer("m", theta::zerosLike), beta1, g);
        NDArray v = movingAverageOfSquares(state.buffer("v", theta::zerosLike), beta2, g);
        double biasCorrection1 = biasCorrection(beta1, t);
        double biasCorrection2 = biasCorrection(beta2, t);
        trace("m", m);
        trace("v", v);
        trace("biasCorrection1", biasCorrection1);
        trace("biasCorrection2", biasCorrection2);

        if (group.flag(AMSGRAD)) {
            v = largestSoFar(state, v);
            trace("vMax", v);
        }
        NDArray denominator = v.sqrt().div(Math.sqrt(biasCorrection2)).add(eps);
        theta.subInPlace(m.mul(lr / biasCorrection1).div(denominator));
    }

    /** {@link #update} in one kernel, on the raw gradient (the kernel applies {@code maximize}). */
    @Override
    protected boolean fusedUpdate(NDArray theta, NDArray grad, ParamState state, ParamGroup group, FusedSteps fused) {
        boolean amsgrad = group.flag(AMSGRAD);
        if (!FusedUpdates.qualifies(theta, grad, state.get("m"), state.get("v"), amsgrad ? state.get("vMax") : null)) return false;
        double beta1 = group.number(BETA1), beta2 = group.number(BETA2);
        long t = state.step();
        NDArray m = state.buffer("m", theta::zerosLike);
        NDArray v = state.buffer("v", theta::zerosLike);
        NDArray vMax = amsgrad ? state.buffer("vMax", theta::zerosLike) : null;
        AdamStep step = new AdamStep(group.lr(), beta1, beta2, group.number(EPS), group.number(WEIGHT_DECAY), decoupledWeightDecay,
                amsgrad, group.flag(MAXIMIZE), biasCorrection(beta1, t), biasCorrection(beta2, t));
        fused.adam(step, theta, grad, m, v, vMax);
        return true;
    }

    /** Adam's weight decay is an L2 penalty on the gradient; AdamW's decays the weights before the step. */
    private NDArray weightDecay(NDArray theta, NDArray g, double lr, double lambda) {
        if (!decoupledWeightDecay) return withL2(g, theta, lambda);
        theta.mulInPlace(1 - lr * lambda);
        return g;
    }

    /** Adam's hyperparameters; {@code O} is Adam or AdamW. */
    public static final class Builder<O extends Adam> extends AdamFamilyBuilder<Builder<O>, O> {

        Builder(BiFunction<List<ParamGroup>, Map<String, Object>, O> factory, double weightDecay) {
            super(factory, 1e-3);
            weightDecay(weightDecay);
            amsgrad(false);
        }

        @Override
        protected Builder<O> self() {
            return this;
        }

        /** Normalise by the largest second moment seen so far (AMSGrad). */
        public Builder<O> amsgrad(boolean amsgrad) {
            return set(AMSGRAD, amsgrad);
        }
    }
}
