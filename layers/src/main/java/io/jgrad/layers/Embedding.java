package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Shapes;

/**
 * A lookup table {@code weight [numEmbeddings, embeddingDim]}, initialised N(0, 1): int64 indices of any shape
 * {@code [...]} give their rows, {@code [..., embeddingDim]}. With a {@code paddingIdx}, that row starts at zero
 * and never receives a gradient (as PyTorch), so padding positions stay a fixed vector.
 */
public final class Embedding extends Module {

    private final int numEmbeddings;
    private final int embeddingDim;
    private final Integer paddingIdx;
    public final Tensor weight;

    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, null);
    }

    /** {@code paddingIdx} may be negative (counted from the end, as PyTorch) or null for none. */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        if (numEmbeddings < 1 || embeddingDim < 1) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got numEmbeddings=" + numEmbeddings + ", embeddingDim=" + embeddingDim);
        }
        if (paddingIdx != null && (paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings)) {
            throw new IllegalArgumentException("Embedding: paddingIdx " + paddingIdx + " is not within " + numEmbeddings + " embeddings");
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? null : Math.floorMod(paddingIdx, numEmbeddings);
        this.weight = registerParameter("weight", Init.normal(1, numEmbeddings, embeddingDim));
        if (this.paddingIdx != null) weight.data().select(0, this.paddingIdx).fill(0);
    }

    @Override
    public Tensor forward(Tensor indices) {
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException("Embedding: expected int64 indices, got " + indices.dtype() + " of shape " + Shapes.str(indices.shape()));
        }
        for (long i : indices.data().toLongArray()) {
            if (i < 0 || i >= numEmbeddings) {
                throw new IllegalArgumentException("Embedding: index " + i + " is out of range for " + numEmbeddings + " embeddings (indices of shape "
                        + Shapes.str(indices.shape()) + ")");
            }
        }
        Tensor rows = weight.embedding(indices.data());
        if (paddingIdx == null) return rows;
        // Padding positions take the row's value from a detached copy, so no gradient flows into that row.
        return Tensor.where(indices.data().ne(paddingIdx).unsqueeze(-1), rows, rows.detach());
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx);
    }
}
