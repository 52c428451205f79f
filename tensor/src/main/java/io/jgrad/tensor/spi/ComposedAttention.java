package io.jgrad.tensor.spi;

import io.jgrad.tensor.NDArray;

/**
 * {@link Backend#attention} and {@link Backend#attentionBackward} composed of array ops (matmul, reductions,
 * elementwise), the default for backends without a fused kernel (public so that tests can hold a fused kernel
 * against it): the {@code [L, S]} scores and weights are materialised.
 * Written so that a query that sees no key gives zeros rather than the NaN of {@code -inf - (-inf)}.
 */
public final class ComposedAttention {

    private ComposedAttention() {
    }

    public static void forward(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray logSumExp) {
        NDArray s = scores(q, k, mask, g);
        NDArray max = s.amax(-1, true);
        NDArray shift = NDArray.where(max.eq(Double.NEGATIVE_INFINITY), max.scalarLike(0), max); // 0 for a row that sees nothing
        NDArray lse = s.sub(shift).exp().sum(-1, true).log().add(shift);                         // -inf for such a row
        out.assign(weights(s, lse).matmul(v));
        logSumExp.assign(lse.squeeze(-1));
    }

    /**
     * With {@code P} the weights recomputed from the saved log-sum-exp and {@code dO} the output gradient:
     * {@code dV = Pᵀ·dO}, {@code dP = dO·Vᵀ}, {@code dS = P ⊙ (dP - rowsum(dO ⊙ O))}, {@code dQ = scale·dS·K},
     * {@code dK = scale·dSᵀ·Q}.
     */
    public static void backward(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray logSumExp,
                         NDArray gradOut, NDArray gradQ, NDArray gradK, NDArray gradV) {
        NDArray p = weights(scores(q, k, mask, g), logSumExp.unsqueeze(-1));
        NDArray dp = gradOut.matmul(v.transpose(-2, -1));
        NDArray ds = p.mul(dp.sub(gradOut.mul(out).sum(-1, true)));
        gradV.assign(p.transpose(-2, -1).matmul(gradOut));
        gradQ.assign(ds.matmul(k).mul(g.scale()));
        gradK.assign(ds.transpose(-2, -1).matmul(q).mul(g.scale()));
    }

    /** {@code scale·Q·Kᵀ + mask}, with -inf above the diagonal when causal. */
    private static NDArray scores(NDArray q, NDArray k, NDArray mask, AttentionGeometry g) {
        NDArray s = q.matmul(k.transpose(-2, -1)).mul(g.scale());
        if (mask != null) s = s.add(mask);
        if (g.causal()) {
            NDArray i = NDArray.arange(q.dtype(), 0, g.queries(), 1).reshape(g.queries(), 1).to(q.device());
            NDArray j = NDArray.arange(q.dtype(), 0, g.keys(), 1).reshape(1, g.keys()).to(q.device());
            s = NDArray.where(j.gt(i), s.scalarLike(Double.NEGATIVE_INFINITY), s);
        }
        return s;
    }

    /** {@code exp(s - lse)}: the softmax weights, all 0 in a row whose log-sum-exp is -inf. */
    private static NDArray weights(NDArray s, NDArray lse) {
        return s.sub(NDArray.where(lse.eq(Double.NEGATIVE_INFINITY), lse.scalarLike(0), lse)).exp();
    }
}
