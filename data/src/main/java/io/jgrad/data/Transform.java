package io.jgrad.data;

import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/**
 * A per-example change of the input (augmentation, normalisation), applied by the {@link DataLoader} before
 * batching. Randomness comes only from {@code gen}, which the loader derives from its seed and the epoch, so
 * a run is reproducible. Implementations leave {@code input} unchanged: they return a new array, or
 * {@code input} itself when they change nothing.
 */
@FunctionalInterface
public interface Transform {

    NDArray apply(NDArray input, Generator gen);
}
