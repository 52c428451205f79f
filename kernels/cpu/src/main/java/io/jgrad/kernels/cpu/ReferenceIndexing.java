package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.HostStorage;

/**
 * gather / scatter-add (PyTorch's {@code gather}, {@code scatter_add_}) and index-select / index-add
 * ({@code index_select}, {@code index_add_}). Index values are int64, read with {@code getLong}.
 *
 * <p>The gather pair walks the index's shape with the data array {@linkplain Layout#pinned pinned} along
 * {@code dim}: the walk supplies every coordinate but the one along {@code dim}, and the index value
 * supplies that one. The adding kernels sum into a row-major {@code double[]} copy of the target and write
 * it back once, so repeated indices add up in double and float32 rounds once (int64 sums, like every
 * arithmetic kernel here, are exact up to 2^53; the pure copies, gather and indexSelect, are exact always).
 */
final class ReferenceIndexing {
    private ReferenceIndexing() {
    }

    /** {@code out[i] = x[i with i[dim] replaced by index[i]]} for every position {@code i} of index. */
    static void gather(NDArray x, int dim, NDArray index, NDArray out) {
        HostStorage xs = host(x), is = host(index), os = host(out);
        Layout xl = Layout.of(x);
        int step = xl.stride(dim);
        var c = new StridedCursor(index.shape(), Layout.of(index), Layout.of(out), xl.pinned(dim));
        for (int k = 0, n = index.numel(); k < n; k++, c.next()) {
            int j = (int) is.getLong(c.pos[0]);
            copyElement(xs, c.pos[2] + j * step, os, c.pos[1]);
        }
    }

    /** {@code target[i with i[dim] replaced by index[i]] += src[i]} for every position {@code i} of index. */
    static void scatterAdd(NDArray target, int dim, NDArray index, NDArray src) {
        double[] acc = readRowMajor(target);
        Layout al = Layout.rowMajor(target.shape());
        int step = al.stride(dim);
        HostStorage is = host(index), ss = host(src);
        var c = new StridedCursor(index.shape(), Layout.of(index), Layout.of(src), al.pinned(dim));
        for (int k = 0, n = index.numel(); k < n; k++, c.next()) {
            int j = (int) is.getLong(c.pos[0]);
            acc[c.pos[2] + j * step] += ss.get(c.pos[1]);
        }
        writeRowMajor(acc, target);
    }

    /** Slice {@code i} of out along {@code dim} is slice {@code index[i]} of x (a rank-0 x is its own slice). */
    static void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        HostStorage xs = host(x), os = host(out);
        Layout xl = Layout.of(x), ol = Layout.of(out);
        int[] sliceShape = sliceShape(x.shape(), dim);
        for (int i = 0, n = index.numel(); i < n; i++) {
            int j = indexAt(index, i);
            var c = new StridedCursor(sliceShape, xl.select(dim, j), ol.select(dim, i));
            for (int k = 0, m = StridedCursor.count(sliceShape); k < m; k++, c.next()) {
                copyElement(xs, c.pos[0], os, c.pos[1]);
            }
        }
    }

    /** Slice {@code i} of src along {@code dim} is added to slice {@code index[i]} of target. */
    static void indexAdd(NDArray target, int dim, NDArray index, NDArray src) {
        double[] acc = readRowMajor(target);
        Layout al = Layout.rowMajor(target.shape()), sl = Layout.of(src);
        HostStorage ss = host(src);
        int[] sliceShape = sliceShape(target.shape(), dim);
        for (int i = 0, n = index.numel(); i < n; i++) {
            int j = indexAt(index, i);
            var c = new StridedCursor(sliceShape, sl.select(dim, i), al.select(dim, j));
            for (int k = 0, m = StridedCursor.count(sliceShape); k < m; k++, c.next()) {
                acc[c.pos[1]] += ss.get(c.pos[0]);
            }
        }
        writeRowMajor(acc, target);
    }

    /** {@code to[j] = from[i]}; exact for int64 values beyond 2^53, which a trip through double would round. */
    private static void copyElement(HostStorage from, int i, HostStorage to, int j) {
        if (from instanceof HostStorage.Int64 && to instanceof HostStorage.Int64) to.setLong(j, from.getLong(i));
        else to.set(j, from.get(i));
    }

    /** Element {@code i} of a 1-D index. */
    private static int indexAt(NDArray index, int i) {
        return (int) host(index).getLong(index.offset() + i * index.strides()[0]);
    }

    /** {@code shape} without {@code dim}; a rank-0 shape is its own slice. */
    private static int[] sliceShape(int[] shape, int dim) {
        if (shape.length == 0) return shape;
        int[] s = new int[shape.length - 1];
        for (int d = 0, j = 0; d < shape.length; d++) {
            if (d != dim) s[j++] = shape[d];
        }
        return s;
    }

    private static double[] readRowMajor(NDArray a) {
        double[] values = new double[a.numel()];
        HostStorage s = host(a);
        var c = new StridedCursor(a.shape(), a);
        for (int k = 0; k < values.length; k++, c.next()) values[k] = s.get(c.pos[0]);
        return values;
    }

    private static void writeRowMajor(double[] values, NDArray a) {
        HostStorage s = host(a);
        var c = new StridedCursor(a.shape(), a);
        for (int k = 0; k < values.length; k++, c.next()) s.set(c.pos[0], values[k]);
    }

    private static HostStorage host(NDArray a) {
        return ReferenceBackend.host(a);
    }
}
