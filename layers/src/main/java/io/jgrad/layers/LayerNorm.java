package io.jgrad.layers;

import io.jgrad.autograd.GradMode;
import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.Shapes;

import java.util.Arrays;

/**
 * Layer normalisation (Ba et al. 2016) over the trailing {@code normalizedShape} dims:
 * {@code y = (x - mean) / sqrt(var + eps) · weight + bias}, with the biased variance, as PyTorch.
 */
public final class LayerNorm extends Module {

    private final int[] normalizedShape;
    private final double eps;
    public final Tensor weight;
    public final Tensor bias;

    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0) throw new IllegalArgumentException("LayerNorm: normalizedShape must not be empty");
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Init.ones(normalizedShape)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Init.zeros(normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        return layerNorm(input, normalizedShape, weight, bias, eps);
    }

    /** The functional form, {@code F.layer_norm}; weight and bias may be null. */
    public static Tensor layerNorm(Tensor input, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int n = normalizedShape.length, rank = input.rank();
        int[] tail = rank >= n ? Arrays.copyOfRange(input.shape(), rank - n, rank) : null;
        if (tail == null || !Arrays.equals(tail, normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm: expected input [..., " + Shapes.str(normalizedShape).replaceAll("[\\[\\]]", "")
                    + "], got shape " + Shapes.str(input.shape()));
        }
        boolean records = GradMode.isEnabled() && (input.requiresGrad() || requiresGrad(weight) || requiresGrad(bias));
        if (GradMode.isAnomalyDetectionEnabled()) return composed(input, normalizedShape, weight, bias, eps); // each op checked
        if (!records) {
            // Nothing to record (inference): one fused pass per row, without the statistics a gradient would need.
            return Tensor.of(input.data().layerNorm(normalizedShape, weight == null ? null : weight.data(), bias == null ? null : bias.data(), eps));
        }
        return input.layerNorm(normalizedShape, weight, bias, eps);
    }

    /**
     * The composition of recorded ops (mean, sub, square, add, sqrt, div, mul, add) that computes the same as the
     * fused {@link Tensor#layerNorm}: its reference in tests, and what anomaly detection runs, so that each step is
     * checked. The input's shape is already checked.
     */
    static Tensor composed(Tensor input, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        int n = normalizedShape.length, rank = input.rank();
        int[] dims = new int[n];
        for (int i = 0; i < n; i++) dims[i] = rank - n + i;
        Tensor mean = input.mean(dims, true);
        Tensor centred = input.sub(mean);
        Tensor var = centred.square().mean(dims, true);
        Tensor y = centred.div(var.add(eps).sqrt());
        if (weight != null) y = y.mul(weight);
        if (bias != null) y = y.add(bias);
        return y;
    }

    private static boolean requiresGrad(Tensor t) {
        return t != null && t.requiresGrad();
    }

    @Override
    protected String extraRepr() {
        return "normalized_shape=" + Shapes.str(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + (weight != null);
    }
}
