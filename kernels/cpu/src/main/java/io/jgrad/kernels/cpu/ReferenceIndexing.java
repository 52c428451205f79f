package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;

/** gather / scatter-add / index-select / index-add (to be written). */
final class ReferenceIndexing {
    private ReferenceIndexing() {
    }

    static void gather(NDArray x, int dim, NDArray index, NDArray out) {
        throw new UnsupportedOperationException("gather: not yet implemented");
    }

    static void scatterAdd(NDArray target, int dim, NDArray index, NDArray src) {
        throw new UnsupportedOperationException("scatterAdd: not yet implemented");
    }

    static void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        throw new UnsupportedOperationException("indexSelect: not yet implemented");
    }

    static void indexAdd(NDArray target, int dim, NDArray index, NDArray src) {
        throw new UnsupportedOperationException("indexAdd: not yet implemented");
    }
}
