package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AttentionGeometry;

/**
 * The row and column strides of attention's inputs (query {@code [.., L, E]}, key {@code [.., S, E]}, value
 * {@code [.., S, Ev]}, mask {@code [.., L, S]}, 0 for no mask): the two dims after the batch dims of the geometry.
 */
record AttentionStrides(int qRow, int qCol, int kRow, int kCol, int vRow, int vCol, int mRow, int mCol) {

    static AttentionStrides of(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g) {
        int r = g.batch().length;
        return new AttentionStrides(q.strides()[r], q.strides()[r + 1], k.strides()[r], k.strides()[r + 1], v.strides()[r], v.strides()[r + 1],
                mask == null ? 0 : mask.strides()[r], mask == null ? 0 : mask.strides()[r + 1]);
    }
}
