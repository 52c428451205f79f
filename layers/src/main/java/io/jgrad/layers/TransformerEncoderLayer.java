package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;

/**
 * One encoder layer of the Transformer (Vaswani et al. 2017), as {@code torch.nn.TransformerEncoderLayer}:
 * self-attention, then a position-wise feed-forward network {@code linear2(dropout(act(linear1(x))))}, each
 * inside a residual connection with layer normalisation,
 * <pre>
 *   post-norm (default):  x = norm1(x + sa(x));        x = norm2(x + ff(x))
 *   pre-norm (normFirst): x = x + sa(norm1(x));        x = x + ff(norm2(x))
 * </pre>
 * where {@code sa} and {@code ff} end in {@code dropout1} and {@code dropout2}. Children are named as PyTorch's
 * ({@code self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2}), so state dict keys match.
 */
public final class TransformerEncoderLayer extends Module {

    /** The feed-forward activation; GELU is the exact one, as PyTorch's {@code "gelu"}. */
    public enum Activation { RELU, GELU }

    private final int dModel;
    private final Activation activation;
    private final boolean normFirst;
    public final MultiheadAttention selfAttn;
    public final Linear linear1;
    public final Dropout dropout;
    public final Linear linear2;
    public final LayerNorm norm1;
    public final LayerNorm norm2;
    public final Dropout dropout1;
    public final Dropout dropout2;

    /** PyTorch's defaults: feed-forward width 2048, dropout 0.1, relu, sequence-first, post-norm. */
    public TransformerEncoderLayer(int dModel, int nhead) {
        this(dModel, nhead, 2048, 0.1, Activation.RELU, false, false);
    }

    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, Activation activation, boolean batchFirst, boolean normFirst) {
        this.dModel = dModel;
        this.activation = activation;
        this.normFirst = normFirst;
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward));
        this.dropout = registerModule("dropout", new Dropout(dropout));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel));
        this.norm1 = registerModule("norm1", new LayerNorm(dModel));
        this.norm2 = registerModule("norm2", new LayerNorm(dModel));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout));
    }

    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    /** With the masks of {@link MultiheadAttention} (either may be null). */
    public Tensor forward(Tensor src, NDArray srcMask, NDArray srcKeyPaddingMask, boolean isCausal) {
        requireRank(src, 3, "[N, L, " + dModel + "] (batchFirst) or [L, N, " + dModel + "]");
        requireSize(src, 2, dModel, "[N, L, " + dModel + "] (batchFirst) or [L, N, " + dModel + "]");
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttentionBlock(norm1.forward(x), srcMask, srcKeyPaddingMask, isCausal));
            return x.add(feedForwardBlock(norm2.forward(x)));
        }
        x = norm1.forward(x.add(selfAttentionBlock(x, srcMask, srcKeyPaddingMask, isCausal)));
        return norm2.forward(x.add(feedForwardBlock(x)));
    }

    private Tensor selfAttentionBlock(Tensor x, NDArray mask, NDArray keyPaddingMask, boolean isCausal) {
        return dropout1.forward(selfAttn.forward(x, x, x, keyPaddingMask, mask, isCausal));
    }

    private Tensor feedForwardBlock(Tensor x) {
        Tensor hidden = linear1.forward(x);
        hidden = activation == Activation.RELU ? hidden.relu() : hidden.gelu();
        return dropout2.forward(linear2.forward(dropout.forward(hidden)));
    }

    @Override
    protected String extraRepr() {
        return "activation=" + activation.name().toLowerCase(java.util.Locale.ROOT) + (normFirst ? ", norm_first=True" : "");
    }
}
