package io.jgrad.optimizers;

import io.jgrad.tensor.FusedUpdates;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.SgdStep;

import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum (Polyak's heavy ball; Nesterov's variant as in Sutskever et al.,
 * 2013), as PyTorch writes it. Defaults as in PyTorch: {@code lr = 1e-3, momentum = 0, dampening = 0,
 * nesterov = false, weightDecay = 0}.
 *
 * <pre>
 * input: γ (lr), μ (momentum), τ (dampening), λ (weightDecay), nesterov, θ0 (params)
 * for t = 1, 2, ...
 *     g ← ∇f(θ_{t-1})
 *     if λ ≠ 0:  g ← g + λ·θ_{t-1}
 *     if μ ≠ 0:
 *         b_t ← g                           if t = 1
 *         b_t ← μ·b_{t-1} + (1 − τ)·g       otherwise
 *         g ← g + μ·b_t   if nesterov,  else  g ← b_t
 *     θ_t ← θ_{t-1} − γ·g
 * </pre>
 *
 * When the arrays allow, a step runs these lines as one fused kernel ({@link SgdStep}), which gives the same
 * bits; a traced step always runs them one by one.
 */
public final class SGD extends Optimizer {

    public static final String DAMPENING = "dampening", NESTEROV = "nesterov";

    public static Builder builder() {
        return new Builder();
    }

    private SGD(List<ParamGroup> groups, Map<String, Object> defaults) {
        super("SGD", groups, defaults, SGD::validate);
    }

    private static void validate(HyperparameterCheck check) {
        check.nonNegative(LR, MOMENTUM, WEIGHT_DECAY);
        ParamGroup group = check.group();
        if (group.flag(NESTEROV)) {
            check.require(group.number(MOMENTUM) > 0 && group.number(DAMPENING) == 0, NESTEROV, true, "momentum > 0 and dampening = 0");
        }
    }

    @Override
    protected void update(NDArray theta, NDArray g, ParamState state, ParamGroup group) {
        double lr = group.lr(), mu = group.number(MOMENTUM), tau = group.number(DAMPENING);
        g = withL2(g, theta, group.number(WEIGHT_DECAY));
        if (mu != 0) {
            NDArray b = state.get("b");
            if (b == null) {
                b = state.put("b", g.copy());   // the first step starts the buffer undamped, as in PyTorch
            } else {
                b.mulInPlace(mu).addInPlace(g.mul(1 - tau));
            }
            trace("b", b);
            g = group.flag(NESTEROV) ? g.add(b.mul(mu)) : b;
        }
        theta.subInPlace(g.mul(lr));
    }

    /** {@link #update} in one kernel, on the raw gradient (the kernel applies {@code maximize}). */
    @Override
    protected boolean fusedUpdate(NDArray theta, NDArray grad, ParamState state, ParamGroup group, FusedSteps fused) {
        double mu = group.number(MOMENTUM);
        NDArray b = mu == 0 ? null : state.get("b");
        if (!FusedUpdates.qualifies(theta, grad, b)) return false;
        boolean firstStep = mu != 0 && b == null;
        if (firstStep) b = state.put("b", theta.zerosLike());   // the kernel fills it with the first g
        SgdStep step = new SgdStep(group.lr(), mu, group.number(DAMPENING), group.number(WEIGHT_DECAY), group.flag(NESTEROV),
                group.flag(MAXIMIZE), firstStep);
        fused.sgd(step, theta, grad, b);
        return true;
    }

    /** SGD's hyperparameters. */
    public static final class Builder extends Optimizer.Builder<Builder, SGD> {

        private Builder() {
            super(SGD::new, 1e-3);
            momentum(0);
            dampening(0);
            nesterov(false);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** {@code μ}: how much of the previous step's direction carries over. */
        public Builder momentum(double momentum) {
            return set(MOMENTUM, momentum);
        }

        /** {@code τ}: how much of the new gradient is held back from the momentum buffer. */
        public Builder dampening(double dampening) {
            return set(DAMPENING, dampening);
        }

        /** Step along {@code g + μ·b} (look ahead) instead of {@code b}. */
        public Builder nesterov(boolean nesterov) {
            return set(NESTEROV, nesterov);
        }
    }
}
