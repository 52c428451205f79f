package io.jgrad.spark;

import java.io.Serializable;

/**
 * One element of the training RDD: an example's input flattened in row-major order (an image {@code [C, H, W]}
 * as {@code C·H·W} floats) and its class index. The trainer reshapes the features to its example shape, so
 * every example must have exactly that many.
 */
public record TrainingExample(float[] features, long label) implements Serializable {
}
