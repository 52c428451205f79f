package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;

/**
 * The loop nest of an elementwise kernel over up to three arrays of one shape, with as few dims as the
 * strides allow: dims of size 1 are dropped and neighbours merged where every array steps through them as
 * through one dim. What is left is a number of <em>runs</em> (the outer dims, row-major) of
 * {@link #runLength()} elements each, along which every array moves by a fixed {@link #innerStride}. A
 * contiguous array, or several with the same contiguous layout, becomes a single run; a row broadcast
 * ({@code [R, C]} against {@code [C]}) becomes R runs with inner strides 1 and 1.
 */
final class LoopNest {

    /** Receives one stretch of a run: the storage positions of its first element in each array, and its length. */
    interface Segment {
        void run(int pos0, int pos1, int pos2, int length);
    }

    private final int[] outer;     // sizes of the outer dims
    private final int[][] strides; // per array: strides of the outer dims, then the inner stride
    private final int[] offsets;
    private final int runLength;

    private LoopNest(int[] outer, int[][] strides, int[] offsets, int runLength) {
        this.outer = outer;
        this.strides = strides;
        this.offsets = offsets;
        this.runLength = runLength;
    }

    /** The nest walking {@code arrays} (one to three, all of shape {@code shape}) together. */
    static LoopNest of(int[] shape, NDArray... arrays) {
        int k = arrays.length;
        int[] dims = new int[shape.length];
        int[][] st = new int[k][shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            boolean merge = rank > 0;
            for (int a = 0; a < k && merge; a++) merge = st[a][rank - 1] == arrays[a].stride(d) * shape[d];
            if (merge) {
                dims[rank - 1] *= shape[d];
                for (int a = 0; a < k; a++) st[a][rank - 1] = arrays[a].stride(d);
            } else {
                dims[rank] = shape[d];
                for (int a = 0; a < k; a++) st[a][rank] = arrays[a].stride(d);
                rank++;
            }
        }
        int runLength = 1;
        if (rank > 0) runLength = dims[--rank];
        int[] outer = java.util.Arrays.copyOf(dims, rank);
        int[][] strides = new int[k][];
        int[] offsets = new int[k];
        for (int a = 0; a < k; a++) {
            strides[a] = java.util.Arrays.copyOf(st[a], rank + 1);
            offsets[a] = arrays[a].offset();
        }
        for (int s : shape) {
            if (s == 0) runLength = 0;
        }
        return new LoopNest(outer, strides, offsets, runLength);
    }

    int runLength() {
        return runLength;
    }

    int runs() {
        int n = 1;
        for (int s : outer) n *= s;
        return n;
    }

    /** Elements in all runs together. */
    int size() {
        return runLength == 0 ? 0 : runs() * runLength;
    }

    /** How far array {@code a} moves from one element of a run to the next. */
    int innerStride(int a) {
        return strides[a][outer.length];
    }

    /** Storage position of array {@code a} at the start of run {@code run}. */
    int start(int a, int run) {
        int pos = offsets[a];
        int[] s = strides[a];
        for (int d = outer.length - 1; d >= 0 && run > 0; d--) {
            pos += (run % outer[d]) * s[d];
            run /= outer[d];
        }
        return pos;
    }

    /**
     * Calls {@code body} for the elements {@code from .. to-1} (counted row-major over all runs), one segment
     * per run touched. Arrays past the ones given to {@link #of} get position 0.
     */
    void forEachSegment(int from, int to, Segment body) {
        if (from >= to) return;
        int run = from / runLength, i = from % runLength;
        int count = strides.length;
        while (from < to) {
            int length = Math.min(runLength - i, to - from);
            int p0 = start(0, run) + i * innerStride(0);
            int p1 = count > 1 ? start(1, run) + i * innerStride(1) : 0;
            int p2 = count > 2 ? start(2, run) + i * innerStride(2) : 0;
            body.run(p0, p1, p2, length);
            from += length;
            run++;
            i = 0;
        }
    }

    /**
     * Runs {@code body} over every element, split into tasks of consecutive elements on {@code pool} when there
     * are at least {@code minParallel} of them. The split depends only on the size, so results do not depend on
     * which thread runs what.
     */
    void forEachSegment(KernelPool pool, int minParallel, Segment body) {
        int n = size();
        if (n < minParallel || pool.threads() == 1) {
            forEachSegment(0, n, body);
            return;
        }
        int tasks = Math.min(pool.threads() * 4, Math.max(1, n / (minParallel / 2)));
        int chunk = VectorGemm.roundUp(VectorGemm.ceilDiv(n, tasks), 64);
        pool.run(VectorGemm.ceilDiv(n, chunk), t -> forEachSegment(t * chunk, Math.min(n, (t + 1) * chunk), body));
    }
}
