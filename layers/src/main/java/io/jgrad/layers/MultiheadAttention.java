package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import java.util.Arrays;

/**
 * Multi-head attention (Vaswani et al. 2017), as {@code torch.nn.MultiheadAttention}:
 * <pre>
 *   headᵢ = softmax(qᵢ·kᵢᵀ/√d + mask)·vᵢ   with q = query·W_qᵀ + b_q (k, v likewise), d = E/numHeads
 *   out   = concat(head₁ … head_h)·W_oᵀ + b_o
 * </pre>
 * {@code W_q, W_k, W_v} are the three row blocks of {@code in_proj_weight [3E, E]} (and of {@code in_proj_bias
 * [3E]}); {@code W_o, b_o} belong to the child {@code out_proj}, so the state dict keys are PyTorch's. Initialised
 * as PyTorch: Xavier-uniform {@code in_proj_weight}, zero biases, {@code out_proj.weight} as any Linear.
 *
 * <p>Shapes: query {@code [N, L, E]}, key and value {@code [N, S, E]} with {@code batchFirst}, else {@code [L, N,
 * E]} and {@code [S, N, E]}. Masks, which carry no gradient: {@code keyPaddingMask [N, S]}, nonzero = ignore that
 * key; {@code attnMask [L, S]} or {@code [N·numHeads, L, S]}, additive when floating point, or with int64 values,
 * nonzero = may not attend (PyTorch's boolean mask); {@code isCausal} blocks every key after the query's position.
 */
public final class MultiheadAttention extends Module {

    /** The attention output, and the attention weights averaged over heads {@code [N, L, S]} (null when not asked for). */
    public record Output(Tensor output, Tensor weights) {
    }

    /** The tensors the computation uses; biases are null in a layer without bias. */
    public record Weights(Tensor inProjWeight, Tensor inProjBias, Tensor outProjWeight, Tensor outProjBias) {
    }

    private final int embedDim;
    private final int numHeads;
    private final double dropout;
    private final boolean batchFirst;
    public final Tensor inProjWeight;
    public final Tensor inProjBias;
    public final Linear outProj;

    public MultiheadAttention(int embedDim, int numHeads) {
        this(embedDim, numHeads, 0, true, false);
    }

    public MultiheadAttention(int embedDim, int numHeads, boolean bias, boolean batchFirst) {
        this(embedDim, numHeads, 0, bias, batchFirst);
    }

    /** {@code dropout} applies to the attention weights in training, as PyTorch's. */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst) {
        if (embedDim < 1 || numHeads < 1 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embedDim must be a positive multiple of numHeads, got embedDim="
                    + embedDim + ", numHeads=" + numHeads);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1), got " + dropout);
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.dropout = dropout;
        this.batchFirst = batchFirst;
        this.inProjWeight = registerParameter("in_proj_weight", Init.xavierUniform(1, 3 * embedDim, embedDim));
        this.inProjBias = bias ? registerParameter("in_proj_bias", Init.zeros(3 * embedDim)) : null;
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias));
        if (bias) outProj.bias.data().fill(0);
    }

    /** Self-attention of {@code input} (query, key and value), without masks. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, input, input);
    }

    public Tensor forward(Tensor query, Tensor key, Tensor value) {
        return forward(query, key, value, null, null, false);
    }

    /** The attention output; the masks may be null. */
    public Tensor forward(Tensor query, Tensor key, Tensor value, NDArray keyPaddingMask, NDArray attnMask, boolean isCausal) {
        return compute(query, key, value, weights(), numHeads, batchFirst, keyPaddingMask, attnMask, isCausal, isTraining() ? dropout : 0, false).output();
    }

    /** The attention output and the head-averaged weights; the masks may be null. */
    public Output forwardWithWeights(Tensor query, Tensor key, Tensor value, NDArray keyPaddingMask, NDArray attnMask, boolean isCausal) {
        return compute(query, key, value, weights(), numHeads, batchFirst, keyPaddingMask, attnMask, isCausal, isTraining() ? dropout : 0, true);
    }

    /** This module's parameters. */
    public Weights weights() {
        return new Weights(inProjWeight, inProjBias, outProj.weight, outProj.bias);
    }

    /**
     * The functional form over any weights (no dropout), with the head-averaged weights; the module runs the
     * same code with its own.
     */
    public static Output multiHeadAttention(Tensor query, Tensor key, Tensor value, Weights weights, int numHeads, boolean batchFirst,
                                            NDArray keyPaddingMask, NDArray attnMask, boolean isCausal) {
        return multiHeadAttention(query, key, value, weights, numHeads, batchFirst, keyPaddingMask, attnMask, isCausal, true);
    }

    /**
     * The same; without {@code needWeights} the weights are not computed (null in the result), and the attention
     * is the fused op, which never stores them.
     */
    public static Output multiHeadAttention(Tensor query, Tensor key, Tensor value, Weights weights, int numHeads, boolean batchFirst,
                                            NDArray keyPaddingMask, NDArray attnMask, boolean isCausal, boolean needWeights) {
        return compute(query, key, value, weights, numHeads, batchFirst, keyPaddingMask, attnMask, isCausal, 0, needWeights);
    }

    private static Output compute(Tensor query, Tensor key, Tensor value, Weights w, int numHeads, boolean batchFirst,
                                  NDArray keyPaddingMask, NDArray attnMask, boolean isCausal, double dropoutP, boolean needWeights) {
        check(query, key, value, w, numHeads, batchFirst, keyPaddingMask, attnMask);
        // Batch first inside, so heads become dim 1 and the masks broadcast as [N, heads, L, S].
        Tensor q = batchFirst ? query : query.transpose(0, 1);
        Tensor k = batchFirst ? key : key.transpose(0, 1);
        Tensor v = batchFirst ? value : value.transpose(0, 1);
        int n = q.shape(0), l = q.shape(1), s = k.shape(1), e = q.shape(2);
        // Without weights to return or dropout to apply to them, one fused op that never stores the [L, S] weights.
        boolean fused = !needWeights && dropoutP == 0;
        NDArray mask = masks(keyPaddingMask, attnMask, isCausal && !fused, query.dtype(), n, numHeads, l, s);
        Tensor qh, kh, vh;
        if (query == key && key == value) {
            // Self-attention: one product with all of in_proj_weight [3E, E], as PyTorch, then q, k, v as views of it.
            Tensor qkv = q.linear(w.inProjWeight(), w.inProjBias());
            qh = splitHeads(qkv.narrow(2, 0, e), numHeads);
            kh = splitHeads(qkv.narrow(2, e, e), numHeads);
            vh = splitHeads(qkv.narrow(2, 2 * e, e), numHeads);
        } else {
            qh = splitHeads(project(q, w, 0), numHeads);
            kh = splitHeads(project(k, w, 1), numHeads);
            vh = splitHeads(project(v, w, 2), numHeads);
        }
        double scale = 1 / Math.sqrt(e / numHeads);
        Tensor attended, weights = null;
        if (fused) {
            attended = qh.attention(kh, vh, mask, scale, isCausal);
        } else {
            Attention.Result r = Attention.attend(qh, kh, vh, mask, scale, dropoutP, dropoutP > 0);
            attended = r.output();
            weights = r.weights();
        }
        Tensor merged = attended.permute(0, 2, 1, 3).reshape(n, l, e);
        Tensor out = merged.linear(w.outProjWeight(), w.outProjBias());
        return new Output(batchFirst ? out : out.transpose(0, 1), needWeights ? weights.mean(1) : null);
    }

    /** Block {@code which} (0 = q, 1 = k, 2 = v) of the input projection applied to {@code x}. */
    private static Tensor project(Tensor x, Weights w, int which) {
        int e = x.shape(-1);
        Tensor bias = w.inProjBias() == null ? null : w.inProjBias().narrow(0, which * e, e);
        return x.linear(w.inProjWeight().narrow(0, which * e, e), bias);
    }

    /** {@code [N, T, E]} to {@code [N, heads, T, E/heads]}. */
    private static Tensor splitHeads(Tensor x, int heads) {
        return x.reshape(x.shape(0), x.shape(1), heads, x.shape(2) / heads).permute(0, 2, 1, 3);
    }

    /** Every mask as one additive {@code [N or 1, heads or 1, L, S]} array, or null when there is none. */
    private static NDArray masks(NDArray keyPaddingMask, NDArray attnMask, boolean isCausal, DType dtype, int n, int heads, int l, int s) {
        NDArray mask = isCausal ? Attention.causalMask(dtype, l, s) : null;
        if (attnMask != null) {
            NDArray additive = attnMask.dtype().isFloatingPoint() ? attnMask.to(dtype) : Attention.blocked(attnMask, dtype);
            mask = Attention.plus(mask, attnMask.rank() == 3 ? additive.reshape(n, heads, l, s) : additive);
        }
        if (keyPaddingMask != null) mask = Attention.plus(mask, Attention.blocked(keyPaddingMask, dtype).reshape(n, 1, 1, s));
        return mask;
    }

    private static void check(Tensor query, Tensor key, Tensor value, Weights w, int numHeads, boolean batchFirst,
                              NDArray keyPaddingMask, NDArray attnMask) {
        int e = w.inProjWeight().shape(-1);
        int b = batchFirst ? 0 : 1, t = 1 - b;
        boolean ok = query.rank() == 3 && key.rank() == 3 && value.rank() == 3 && query.shape(2) == e && key.shape(2) == e && value.shape(2) == e
                && key.shape(b) == query.shape(b) && value.shape(b) == query.shape(b) && value.shape(t) == key.shape(t);
        if (!ok) {
            String layout = batchFirst ? "query [N, L, " + e + "], key and value [N, S, " + e + "] (batchFirst)" : "query [L, N, " + e + "], key and value [S, N, " + e + "]";
            throw new IllegalArgumentException("MultiheadAttention: expected " + layout + ", got " + Shapes.str(query.shape()) + ", "
                    + Shapes.str(key.shape()) + ", " + Shapes.str(value.shape()));
        }
        if (e % numHeads != 0) throw new IllegalArgumentException("MultiheadAttention: embed_dim " + e + " is not a multiple of num_heads " + numHeads);
        checkShape("in_proj_weight", w.inProjWeight().shape(), 3 * e, e);
        if (w.inProjBias() != null) checkShape("in_proj_bias", w.inProjBias().shape(), 3 * e);
        checkShape("out_proj.weight", w.outProjWeight().shape(), e, e);
        if (w.outProjBias() != null) checkShape("out_proj.bias", w.outProjBias().shape(), e);
        int n = query.shape(b), l = query.shape(t), s = key.shape(t);
        if (keyPaddingMask != null) checkShape("keyPaddingMask", keyPaddingMask.shape(), n, s);
        if (attnMask != null && !Arrays.equals(attnMask.shape(), new int[] {l, s}) && !Arrays.equals(attnMask.shape(), new int[] {n * numHeads, l, s})) {
            throw new IllegalArgumentException("MultiheadAttention: expected attnMask " + Shapes.str(new int[] {l, s}) + " or "
                    + Shapes.str(new int[] {n * numHeads, l, s}) + ", got " + Shapes.str(attnMask.shape()));
        }
    }

    private static void checkShape(String name, int[] actual, int... expected) {
        if (!Arrays.equals(actual, expected)) {
            throw new IllegalArgumentException("MultiheadAttention: expected " + name + " of shape " + Shapes.str(expected) + ", got " + Shapes.str(actual));
        }
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads + (dropout != 0 ? ", dropout=" + dropout : "") + (batchFirst ? ", batch_first=True" : "");
    }
}
