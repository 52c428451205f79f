package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

/**
 * Where the elements of an array live in a block of memory: element {@code [i0, i1, ...]} is at
 * {@code offset + i0*strides[0] + i1*strides[1] + ...}. Usually the layout of an {@link NDArray}, but it
 * can also describe a scratch {@code double[]} ({@link #rowMajor}) or a view no NDArray has
 * ({@link #pinned}), which is what the indexing kernels need.
 */
record Layout(int offset, int[] strides) {

    static Layout of(NDArray a) {
        return new Layout(a.offset(), a.strides());
    }

    /** A dense row-major block of {@code shape} starting at 0, e.g. a {@code double[]} of accumulators. */
    static Layout rowMajor(int[] shape) {
        return new Layout(0, Shapes.contiguousStrides(shape));
    }

    /** True when every (n, c) plane of an NCHW array is one unit-stride run: rows back to back. */
    static boolean planesFlat(NDArray x) {
        int height = x.shape(2), width = x.shape(3);
        return (width == 1 || x.stride(3) == 1) && (height == 1 || x.stride(2) == width);
    }

    /** The step between neighbours along {@code dim}; 0 for a rank-0 array, whose only "dim" is itself. */
    int stride(int dim) {
        return strides.length == 0 ? 0 : strides[dim];
    }

    /** The same layout standing still along {@code dim} (stride 0): a walk then moves only in the other dims. */
    Layout pinned(int dim) {
        if (strides.length == 0) return this;
        int[] s = strides.clone();
        s[dim] = 0;
        return new Layout(offset, s);
    }

    /** The sub-array at {@code index} along {@code dim}, with that dim removed; a rank-0 layout is its own slice. */
    Layout select(int dim, int index) {
        if (strides.length == 0) return this;
        int[] s = new int[strides.length - 1];
        for (int d = 0, j = 0; d < strides.length; d++) {
            if (d != dim) s[j++] = strides[d];
        }
        return new Layout(offset + index * strides[dim], s);
    }

    /** Position of element {@code [i0, i1, i2, i3]} of a rank-4 array. */
    int at(int i0, int i1, int i2, int i3) {
        return offset + i0 * strides[0] + i1 * strides[1] + i2 * strides[2] + i3 * strides[3];
    }
}
