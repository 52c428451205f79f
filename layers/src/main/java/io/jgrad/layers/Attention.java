package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import java.util.Arrays;

/**
 * Scaled dot-product attention (Vaswani et al. 2017), {@code softmax(q·kᵀ·scale + mask)·v}, as
 * {@code torch.nn.functional.scaled_dot_product_attention}; {@link MultiheadAttention} runs it per head. The
 * functional form is the fused op ({@link Tensor#attention}); {@link #attend}, the composition that also returns
 * the weights and applies dropout to them, is what layers use when they need those.
 *
 * <p>Masks here are additive float arrays: 0 where a query may look at a key, -inf where it may not. A query
 * masked from every key gets all-zero weights, so a zero output and zero gradients, instead of the 0/0 = NaN
 * of a plain softmax: what PyTorch's math path does since 2.5 ({@code _safe_softmax}).
 */
public final class Attention {

    /** The attended values {@code [..., L, Ev]} and the weights {@code [..., L, S]} that mixed them. */
    record Result(Tensor output, Tensor weights) {
    }

    private Attention() {
    }

    /**
     * {@code query [..., L, E]}, {@code key [..., S, E]}, {@code value [..., S, Ev]} with broadcasting leading
     * dims; scale 1/√E. {@code attnMask} (additive, broadcast to {@code [..., L, S]}) may be null;
     * {@code isCausal} adds {@link #causalMask}.
     */
    public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value, NDArray attnMask, boolean isCausal) {
        return scaledDotProductAttention(query, key, value, attnMask, isCausal, 1 / Math.sqrt(query.shape(-1)));
    }

    /** The same with an explicit {@code scale} (PyTorch's {@code scale=} argument). */
    public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value, NDArray attnMask, boolean isCausal, double scale) {
        if (query.rank() < 2 || key.rank() < 2 || value.rank() < 2 || query.shape(-1) != key.shape(-1) || key.shape(-2) != value.shape(-2)) {
            throw new IllegalArgumentException("scaledDotProductAttention: expected query [..., L, E], key [..., S, E], value [..., S, Ev], got "
                    + Shapes.str(query.shape()) + ", " + Shapes.str(key.shape()) + ", " + Shapes.str(value.shape()));
        }
        if (attnMask != null && !attnMask.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("scaledDotProductAttention: attnMask must be an additive float mask (0 or -inf), got " + attnMask.dtype());
        }
        return query.attention(key, value, attnMask == null ? null : attnMask.to(query.dtype()), scale, isCausal);
    }

    /**
     * The additive causal mask {@code [L, S]}: -inf where key j comes after query i (j > i), else 0. Aligned
     * at the top left, as PyTorch's {@code is_causal}.
     */
    public static NDArray causalMask(DType dtype, int queryLength, int keyLength) {
        NDArray i = NDArray.arange(dtype, 0, queryLength, 1).reshape(queryLength, 1);
        NDArray j = NDArray.arange(dtype, 0, keyLength, 1).reshape(1, keyLength);
        return blocked(j.gt(i), dtype);
    }

    /** An additive mask that is -inf where {@code blocked} is nonzero and 0 elsewhere. */
    static NDArray blocked(NDArray blocked, DType dtype) {
        return NDArray.where(blocked, NDArray.scalar(dtype, Double.NEGATIVE_INFINITY), NDArray.scalar(dtype, 0));
    }

    /** {@code a + b} where either may be null (no mask). */
    static NDArray plus(NDArray a, NDArray b) {
        return a == null ? b : b == null ? a : a.add(b.to(a.dtype()));
    }

    /** The computation, with dropout on the weights ({@code p = dropoutP}) in training; inputs are valid. */
    static Result attend(Tensor q, Tensor k, Tensor v, NDArray mask, double scale, double dropoutP, boolean training) {
        // The scale on q (as PyTorch's math path), not on the L x S scores: a pass over E/S of the elements, forward and backward.
        Tensor scores = q.mul(scale).matmul(k.transpose(-2, -1));
        NDArray live = null;
        if (mask != null) {
            NDArray m = mask.to(scores.dtype());
            int[] broadcast = Shapes.broadcast("attention mask", m.shape(), scores.shape());
            if (!Arrays.equals(broadcast, scores.shape())) {
                throw new IllegalArgumentException("attention: mask of shape " + Shapes.str(m.shape()) + " does not broadcast to the scores " + Shapes.str(scores.shape()));
            }
            NDArray dead = m.amax(-1, true).eq(Double.NEGATIVE_INFINITY);
            if (dead.amax().item() != 0) {
                // Unmask the dead rows so softmax stays finite (no NaN in the backward pass), then zero them.
                m = NDArray.where(dead, m.scalarLike(0), m);
                live = dead.rsub(1);
            }
            scores = scores.add(Tensor.of(m));
        }
        Tensor weights = scores.softmax(-1);
        if (live != null) weights = weights.mul(Tensor.of(live));
        weights = Dropout.dropout(weights, dropoutP, training, null);
        return new Result(weights.matmul(v), weights);
    }
}
