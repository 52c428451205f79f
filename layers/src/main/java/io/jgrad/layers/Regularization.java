package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

import java.util.Collection;

/**
 * Penalties on parameter size, to add to a loss. Given a module they cover all its parameters (biases and
 * normalisation scales included, as PyTorch's {@code weight_decay} does); pass a collection to choose.
 *
 * <pre>{@code
 * Tensor loss = Losses.crossEntropy(model.forward(x), y).add(Regularization.l2Penalty(model, 1e-4));
 * }</pre>
 */
public final class Regularization {

    private Regularization() {
    }

    /** {@code λ·Σ|w|} (lasso): its gradient {@code λ·sign(w)} pushes weights to exactly zero. */
    public static Tensor l1Penalty(Module module, double lambda) {
        return l1Penalty(module.parameters(), lambda);
    }

    public static Tensor l1Penalty(Collection<Tensor> parameters, double lambda) {
        return penalty(parameters, lambda, false);
    }

    /**
     * {@code λ/2·Σw²} (ridge). The ½ makes its gradient {@code λ·w}, so with plain SGD it is the same as
     * {@code weightDecay = λ}; with adaptive optimisers the two differ (Loshchilov and Hutter 2019, AdamW).
     */
    public static Tensor l2Penalty(Module module, double lambda) {
        return l2Penalty(module.parameters(), lambda);
    }

    public static Tensor l2Penalty(Collection<Tensor> parameters, double lambda) {
        return penalty(parameters, lambda, true);
    }

    private static Tensor penalty(Collection<Tensor> parameters, double lambda, boolean squared) {
        if (parameters.isEmpty()) throw new IllegalArgumentException("penalty: no parameters to penalise");
        Tensor total = null;
        for (Tensor p : parameters) {
            Tensor term = squared ? p.square().sum().mul(lambda / 2) : p.abs().sum().mul(lambda);
            total = total == null ? term : total.add(term);
        }
        return total;
    }
}
