package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.PoolParams;

/** Max and average pooling and their gradients (to be written). */
final class ReferencePooling {
    private ReferencePooling() {
    }

    static void maxForward(NDArray input, PoolParams p, NDArray out, NDArray indices) {
        throw new UnsupportedOperationException("maxPool2d: not yet implemented");
    }

    static void maxBackward(NDArray gradOut, NDArray indices, NDArray gradInput) {
        throw new UnsupportedOperationException("maxPool2d backward: not yet implemented");
    }

    static void avgForward(NDArray input, PoolParams p, NDArray out) {
        throw new UnsupportedOperationException("avgPool2d: not yet implemented");
    }

    static void avgBackward(NDArray gradOut, PoolParams p, NDArray gradInput) {
        throw new UnsupportedOperationException("avgPool2d backward: not yet implemented");
    }
}
