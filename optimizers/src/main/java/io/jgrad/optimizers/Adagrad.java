package io.jgrad.optimizers;

import io.jgrad.tensor.NDArray;

import java.util.List;
import java.util.Map;

/**
 * Adagrad (Duchi, Hazan and Singer, 2011), with PyTorch's learning-rate decay. Defaults as in PyTorch:
 * {@code lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10}.
 *
 * <pre>
 * input: γ (lr), η (lrDecay), λ (weightDecay), s0 (initialAccumulatorValue), ε (eps), θ0 (params)
 * for t = 1, 2, ...
 *     g ← ∇f(θ_{t-1})
 *     γ̃ ← γ / (1 + (t − 1)·η)
 *     if λ ≠ 0:  g ← g + λ·θ_{t-1}
 *     s_t ← s_{t-1} + g²                            sum of every squared gradient so far
 *     θ_t ← θ_{t-1} − γ̃·g/(√s_t + ε)
 * </pre>
 */
public final class Adagrad extends Optimizer {

    public static final String LR_DECAY = "lrDecay", INITIAL_ACCUMULATOR_VALUE = "initialAccumulatorValue";

    public static Builder builder() {
        return new Builder();
    }

    private Adagrad(List<ParamGroup> groups, Map<String, Object> defaults) {
        super("Adagrad", groups, defaults, check -> check.nonNegative(LR, LR_DECAY, WEIGHT_DECAY, INITIAL_ACCUMULATOR_VALUE, EPS));
    }

    @Override
    protected void update(NDArray theta, NDArray g, ParamState state, ParamGroup group) {
        double lrDecayed = group.lr() / (1 + (state.step() - 1) * group.number(LR_DECAY));
        g = withL2(g, theta, group.number(WEIGHT_DECAY));

        double s0 = group.number(INITIAL_ACCUMULATOR_VALUE);
        NDArray s = state.buffer("s", () -> theta.zerosLike().fill(s0));
        s.addInPlace(g.mul(g));
        trace("s", s);
        trace("lrDecayed", lrDecayed);
        theta.subInPlace(g.mul(lrDecayed).div(s.sqrt().add(group.number(EPS))));
    }

    /** Adagrad's hyperparameters. */
    public static final class Builder extends Optimizer.Builder<Builder, Adagrad> {

        private Builder() {
            super(Adagrad::new, 1e-2);
            lrDecay(0);
            initialAccumulatorValue(0);
            eps(1e-10);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** {@code η}: the learning rate at step t is {@code γ/(1 + (t − 1)·η)}. */
        public Builder lrDecay(double lrDecay) {
            return set(LR_DECAY, lrDecay);
        }

        /** {@code s0}: the starting value of the sum of squared gradients. */
        public Builder initialAccumulatorValue(double value) {
            return set(INITIAL_ACCUMULATOR_VALUE, value);
        }

        /** {@code ε}: added to the denominator so that it is never zero. */
        public Builder eps(double eps) {
            return set(EPS, eps);
        }
    }
}
