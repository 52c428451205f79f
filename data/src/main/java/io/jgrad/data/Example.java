package io.jgrad.data;

import io.jgrad.tensor.NDArray;

/**
 * One labelled example: an input (an image {@code [C, H, W]} or a feature vector {@code [F]}) and its class
 * index.
 */
public record Example(NDArray input, long label) {
}
