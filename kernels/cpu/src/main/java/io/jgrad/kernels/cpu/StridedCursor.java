package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;

/**
 * Walks every index of a shape in row-major order and keeps, for several arrays at once, the storage
 * position of the current element. This is how the reference kernels honour arbitrary strides without
 * copying:
 *
 * <pre>{@code
 * var c = new StridedCursor(out.shape(), a, b, out);
 * for (int i = 0; i < n; i++, c.next()) out.set(c.pos[2], a.get(c.pos[0]) + b.get(c.pos[1]));
 * }</pre>
 */
final class StridedCursor {

    /** Current storage position of each array, in the order given to the constructor. */
    final int[] pos;
    private final int[] shape;
    private final int[][] strides;
    private final int[] index;

    /** Walks {@code shape}; every array must have at least {@code shape.length} leading dims of that shape. */
    StridedCursor(int[] shape, NDArray... arrays) {
        this(shape, layouts(arrays));
    }

    /** Walks {@code shape} over layouts that need not belong to an NDArray (scratch buffers, pinned views). */
    StridedCursor(int[] shape, Layout... layouts) {
        this.shape = shape;
        this.index = new int[shape.length];
        this.pos = new int[layouts.length];
        this.strides = new int[layouts.length][];
        for (int k = 0; k < layouts.length; k++) {
            pos[k] = layouts[k].offset();
            strides[k] = layouts[k].strides();
        }
    }

    private static Layout[] layouts(NDArray[] arrays) {
        Layout[] out = new Layout[arrays.length];
        for (int k = 0; k < arrays.length; k++) out[k] = Layout.of(arrays[k]);
        return out;
    }

    /** Moves to the next index (row-major); after the last one the positions are meaningless. */
    void next() {
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d]++;
            for (int k = 0; k < pos.length; k++) pos[k] += strides[k][d];
            if (index[d] < shape[d]) return;
            for (int k = 0; k < pos.length; k++) pos[k] -= strides[k][d] * shape[d];
            index[d] = 0;
        }
    }

    /** Number of indices in {@code shape}. */
    static int count(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }
}
