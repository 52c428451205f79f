package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;

import java.util.List;

/**
 * Gradient clipping, called between {@code backward()} and {@code step()} to keep one bad batch from
 * throwing the parameters far away. Parameters without a gradient are skipped.
 */
public final class Clipping {

    private Clipping() {
    }

    /** {@link #clipGradNorm(List, double, double)} with the Euclidean norm. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }

    /**
     * Scales all gradients together so that their global norm (the {@code normType}-norm of every gradient
     * element of every parameter, {@code Double.POSITIVE_INFINITY} for the largest magnitude) is at most
     * {@code maxNorm}. As PyTorch's {@code clip_grad_norm_}: the scale is {@code min(1, maxNorm/(total + 1e-6))},
     * so a norm already below {@code maxNorm} is left (almost exactly) alone, and a non-finite norm makes the
     * gradients non-finite too. Returns the norm before clipping.
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        if (!(maxNorm >= 0)) throw new IllegalArgumentException("clipGradNorm: maxNorm must be >= 0, got " + maxNorm);
        if (!(normType > 0)) throw new IllegalArgumentException("clipGradNorm: normType must be > 0 (or infinity), got " + normType);
        double total = 0;
        for (Tensor p : params) {
            NDArray g = p.grad();
            if (g == null || g.numel() == 0) continue;
            if (normType == Double.POSITIVE_INFINITY) total = Math.max(total, g.abs().amax().item());
            else total += g.abs().pow(normType).sum().item();
        }
        if (normType != Double.POSITIVE_INFINITY) total = Math.pow(total, 1 / normType);
        double scale = Math.min(1.0, maxNorm / (total + 1e-6));
        for (Tensor p : params) {
            if (p.grad() != null) p.grad().mulInPlace(scale);
        }
        return total;
    }

    /** Clamps every gradient element into {@code [-clipValue, clipValue]}. */
    public static void clipGradValue(List<Tensor> params, double clipValue) {
        if (!(clipValue >= 0)) throw new IllegalArgumentException("clipGradValue: clipValue must be >= 0, got " + clipValue);
        for (Tensor p : params) {
            if (p.grad() != null) p.grad().assign(p.grad().clamp(-clipValue, clipValue));
        }
    }
}
