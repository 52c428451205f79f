package io.jgrad.data;

import io.jgrad.tensor.NDArray;

/** A mini-batch on the CPU: float32 inputs {@code [B, ...]} and int64 labels {@code [B]}. */
public record Batch(NDArray inputs, NDArray labels) {

    /** The number of examples, {@code B}. */
    public int size() {
        return labels.shape(0);
    }
}
