package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvParams;

/** Direct-loop 2-D convolution and its two gradients (to be written). */
final class ReferenceConvolution {
    private ReferenceConvolution() {
    }

    static void forward(NDArray input, NDArray weight, NDArray bias, ConvParams p, NDArray out) {
        throw new UnsupportedOperationException("conv2d: not yet implemented");
    }

    static void backwardInput(NDArray gradOut, NDArray weight, ConvParams p, NDArray gradInput) {
        throw new UnsupportedOperationException("conv2d backward: not yet implemented");
    }

    static void backwardWeight(NDArray input, NDArray gradOut, ConvParams p, NDArray gradWeight) {
        throw new UnsupportedOperationException("conv2d backward: not yet implemented");
    }
}
