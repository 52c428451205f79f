package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ReduceOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 reductions and softmax over contiguous arrays. A reduction is seen as {@code x[outer, middle, inner]}
 * (each part the product of neighbouring dims) in one of two forms:
 * <ul>
 *   <li>{@code [kept, reduced, kept]}: {@code out[o, i] = Σ_m x[o, m, i]}, which covers a whole-array sum
 *       ({@code [1, n, 1]}), rows ({@code [rows, n, 1]}: along the last dims) and columns
 *       ({@code [1, rows, n]}: along the first dims);</li>
 *   <li>{@code [reduced, kept, reduced]}: {@code out[m] = Σ_o Σ_i x[o, m, i]}, e.g. a bias gradient summed
 *       over the batch and spatial dims of {@code [N, C, H, W]}.</li>
 * </ul>
 * Other layouts go to the reference. Sums accumulate in float32 with {@link #ACCUMULATORS} independent vector
 * accumulators along rows (their partial sums are combined in a fixed order), so they differ from the
 * reference's double sums by rounding only, and never depend on the thread count: work is split by the
 * shape, and long whole-array sums into fixed-size chunks added in order.
 */
final class VectorReductions {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    /** Independent accumulators along a row: enough to hide the latency of a vector add. */
    static final int ACCUMULATORS = 4;
    /** Whole-array reductions are summed in chunks of this many elements, then the chunks in order. */
    static final int CHUNK = 1 << 15;
    /** Elements a task should at least read before a reduction is split across threads. */
    static final long MIN_TASK = 1 << 15;

    private VectorReductions() {
    }

    /** Reduces contiguous {@code x} into contiguous {@code out}; false (nothing written) for other layouts. */
    static boolean reduce(ReduceOp op, NDArray x, NDArray out, KernelPool pool) {
        if (!x.isContiguous() || !out.isContiguous()) return false;
        // Sizes of the runs of kept (k) and reduced (r) dims, size-1 dims skipped: e.g. [N, C, H, W] -> C kept.
        int[] runs = new int[3];
        boolean[] reduced = new boolean[3];
        int count = 0;
        for (int d = 0; d < x.rank(); d++) {
            int size = x.shape(d);
            if (size == 1) continue;
            boolean r = out.shape(d) == 1;
            if (count > 0 && reduced[count - 1] == r) {
                runs[count - 1] *= size;
            } else {
                if (count == 3) return false;
                reduced[count] = r;
                runs[count++] = size;
            }
        }
        if (x.numel() == 0) return false;
        float[] xs = VectorGemm.floats(x), os = VectorGemm.floats(out);
        int xo = x.offset(), oo = out.offset();
        double count0 = (double) x.numel() / out.numel();
        float scale = op == ReduceOp.MEAN ? (float) (1.0 / count0) : 1f;
        if (count == 0 || (count == 1 && !reduced[0])) return false; // nothing reduced: not worth a kernel
        if (count == 3 && reduced[0]) {
            middleKept(op, xs, xo, runs[0], runs[1], runs[2], os, oo, count0, pool);
            return true;
        }
        int outer = 1, middle, inner = 1;
        if (reduced[0]) {
            middle = runs[0];
            if (count > 1) inner = runs[1];
        } else {
            outer = runs[0];
            middle = runs[1];
            if (count > 2) inner = runs[2];
        }
        if (outer == 1 && inner == 1) {
            os[oo] = finish(op, all(op, xs, xo, middle, pool), count0);
        } else if (inner == 1) {
            int n = middle;
            pool.runRanges(outer, n, MIN_TASK, (lo, hi) -> {
                for (int r = lo; r < hi; r++) os[oo + r] = finish(op, row(op, xs, xo + r * n, n), count0);
            });
        } else if (outer >= pool.threads()) {
            int rows = middle, n = inner;
            pool.runRanges(outer, (long) rows * n, MIN_TASK, (lo, hi) -> {
                for (int b = lo; b < hi; b++) columns(op, xs, xo + b * rows * n, rows, n, n, os, oo + b * n, scale);
            });
        } else {
            columnStrips(op, xs, xo, outer, middle, inner, os, oo, scale, pool);
        }
        return true;
    }

    /**
     * {@code out[o, i] = reduce_m x[o, m, i]} with fewer blocks {@code o} than threads, e.g. a bias gradient summed over
     * the batch ({@code [1, rows, n]}): each block's columns are split into strips of whole vectors, one task per
     * strip. Every column is reduced the same way whatever the strip it falls in, so the bits do not depend on the
     * number of threads.
     */
    private static void columnStrips(ReduceOp op, float[] x, int pos, int outer, int rows, int n, float[] out, int outPos, float scale,
                                     KernelPool pool) {
        long work = (long) rows * n;
        int perBlock = (int) Math.max(1, Math.min(Math.min(VectorGemm.ceilDiv(pool.threads(), outer), work / MIN_TASK), VectorGemm.ceilDiv(n, LANES)));
        int width = VectorGemm.roundUp(VectorGemm.ceilDiv(n, perBlock), LANES), strips = VectorGemm.ceilDiv(n, width);
        pool.run(outer * strips, t -> {
            int b = t / strips, from = (t % strips) * width, w = Math.min(width, n - from);
            columns(op, x, pos + b * rows * n + from, rows, w, n, out, outPos + b * n + from, scale);
        }, outer * strips > 1);
    }

    private static float finish(ReduceOp op, double value, double count) {
        return (float) (op == ReduceOp.MEAN ? value / count : value);
    }

    private static float combine(ReduceOp op, float acc, float v) {
        return switch (op) {
            case SUM, MEAN -> acc + v;
            case AMAX -> Math.max(acc, v);
            case AMIN -> Math.min(acc, v);
        };
    }

    /**
     * Reduction of {@code x[pos .. pos+n-1]}. The vector ops are written out in each loop rather than behind a
     * helper taking vectors: such a helper, when C2 does not inline it, sees vectors of unknown species and runs the
     * Vector API's Java fallback (JFR showed it on top of a Transformer training step).
     */
    static float row(ReduceOp op, float[] x, int pos, int n) {
        return op == ReduceOp.SUM || op == ReduceOp.MEAN ? rowSum(x, pos, n) : rowExtreme(op == ReduceOp.AMAX, x, pos, n);
    }

    /** A sum with {@link #ACCUMULATORS} vector accumulators, their lanes added in a fixed order. */
    private static float rowSum(float[] x, int pos, int n) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int bound = n - ACCUMULATORS * LANES + 1; i < bound; i += ACCUMULATORS * LANES) {
            a0 = a0.add(FloatVector.fromArray(S, x, pos + i));
            a1 = a1.add(FloatVector.fromArray(S, x, pos + i + LANES));
            a2 = a2.add(FloatVector.fromArray(S, x, pos + i + 2 * LANES));
            a3 = a3.add(FloatVector.fromArray(S, x, pos + i + 3 * LANES));
        }
        for (int bound = S.loopBound(n); i < bound; i += LANES) a0 = a0.add(FloatVector.fromArray(S, x, pos + i));
        float[] lanes = VectorMath.laneBuffer();
        a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
        float r = VectorMath.sumLanes(lanes);
        for (; i < n; i++) r += x[pos + i]; // scalar tail
        return r;
    }

    /** The maximum ({@code max}) or minimum; a NaN wins. Exact in any order, so one accumulator. */
    private static float rowExtreme(boolean max, float[] x, int pos, int n) {
        FloatVector a = FloatVector.broadcast(S, max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(S, x, pos + i);
            a = max ? a.max(v) : a.min(v);
        }
        // One constant operator per call: C2 intrinsifies only a constant one, and a choice between two is not (when this
        // method is compiled on its own, the reduction ran the Java fallback: VectorFallbackProfileTest).
        float r = max ? a.reduceLanes(VectorOperators.MAX) : a.reduceLanes(VectorOperators.MIN);
        for (; i < n; i++) r = max ? Math.max(r, x[pos + i]) : Math.min(r, x[pos + i]); // scalar tail
        return r;
    }

    /** A whole-array reduction: fixed chunks of {@link #CHUNK}, reduced in parallel, combined in order in double. */
    private static double all(ReduceOp op, float[] x, int pos, int n, KernelPool pool) {
        int chunks = VectorGemm.ceilDiv(n, CHUNK);
        if (chunks == 1) return row(op, x, pos, n);
        float[] partial = new float[chunks];
        pool.run(chunks, c -> partial[c] = row(op, x, pos + c * CHUNK, Math.min(CHUNK, n - c * CHUNK)), n >= VectorElementwise.MIN_PARALLEL);
        double r = partial[0];
        for (int c = 1; c < chunks; c++) r = combine(op, r, partial[c]);
        return r;
    }

    /** Combines partial results in double (sums) or exactly (max, min; a NaN wins). */
    private static double combine(ReduceOp op, double acc, float v) {
        return switch (op) {
            case SUM, MEAN -> acc + v;
            case AMAX -> Math.max(acc, v);
            case AMIN -> Math.min(acc, v);
        };
    }

    /** {@code out[i] = scale · reduce_m x[m, i]} over {@code rows} rows of {@code n} elements {@code rowStride} apart, vectorised along i. */
    private static void columns(ReduceOp op, float[] x, int pos, int rows, int n, int rowStride, float[] out, int outPos, float scale) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += LANES) {
            FloatVector acc = FloatVector.fromArray(S, x, pos + i);
            for (int m = 1; m < rows; m++) { // written out, not a helper taking vectors (see row)
                FloatVector v = FloatVector.fromArray(S, x, pos + m * rowStride + i);
                acc = op == ReduceOp.AMAX ? acc.max(v) : op == ReduceOp.AMIN ? acc.min(v) : acc.add(v);
            }
            if (scale != 1f) acc = acc.mul(scale);
            acc.intoArray(out, outPos + i);
        }
        for (; i < n; i++) { // scalar tail
            float acc = x[pos + i];
            for (int m = 1; m < rows; m++) acc = combine(op, acc, x[pos + m * rowStride + i]);
            out[outPos + i] = acc * scale;
        }
    }

    /** {@code out[m] = reduce_{o, i} x[o, m, i]}: rows of length {@code inner}, combined over o in double. */
    private static void middleKept(ReduceOp op, float[] x, int pos, int outer, int middle, int inner, float[] out, int outPos,
                                   double count, KernelPool pool) {
        pool.runRanges(middle, (long) outer * inner, MIN_TASK, (lo, hi) -> {
            for (int m = lo; m < hi; m++) {
                double acc = row(op, x, pos + m * inner, inner);
                for (int o = 1; o < outer; o++) acc = combine(op, acc, row(op, x, pos + (o * middle + m) * inner, inner));
                out[outPos + m] = finish(op, acc, count);
            }
        });
    }

    // ---- softmax --------------------------------------------------------------------------------

    /** Softmax or log-softmax over the last dim of contiguous {@code x} into contiguous {@code out}; false for other layouts. */
    static boolean softmax(NDArray x, int dim, boolean log, NDArray out, KernelPool pool) {
        if (x.rank() == 0 || dim != x.rank() - 1 || !x.isContiguous() || !out.isContiguous() || x.numel() == 0) return false;
        float[] xs = VectorGemm.floats(x), os = VectorGemm.floats(out);
        int n = x.shape(dim), rows = x.numel() / n, xo = x.offset(), oo = out.offset();
        pool.runRanges(rows, n, MIN_TASK / 4, (lo, hi) -> {
            for (int r = lo; r < hi; r++) softmaxRow(xs, xo + r * n, os, oo + r * n, n, log);
        });
        return true;
    }

    /**
     * As the reference: subtract the row maximum (0 for a row of -inf), exponentiate, normalise. The exponentials
     * go to {@code out} for softmax, to this thread's buffer for log-softmax (whose last pass reads {@code x} again, and
     * {@code out} may be {@code x}, as for the reference), and are added in vector lanes, then the lanes left to right. The tail (the last {@code n % LANES} elements) is one more vector in this thread's buffer,
     * padded with -inf (e^-inf adds 0): JDK 17 has no intrinsic for masked loads and stores, and a masked tail ran the
     * Vector API's Java fallback ({@code FloatVector.stOp}, found by {@code VectorFallbackProfileTest}).
     */
    private static void softmaxRow(float[] x, int xp, float[] out, int op, int n, boolean log) {
        float max = row(ReduceOp.AMAX, x, xp, n);
        if (max == Float.NEGATIVE_INFINITY) max = 0f;
        int bound = S.loopBound(n), tail = n - bound;
        float[] pad = Workspace.local().floats(Workspace.Slot.SPLAT_A, LANES); // the tail, shifted, then its e^
        float[] e = log ? Workspace.local().floats(Workspace.Slot.EXPONENTIALS, bound) : out;
        int ep = log ? 0 : op;
        FloatVector vmax = FloatVector.broadcast(S, max);
        for (int i = 0; i < bound; i += LANES) FloatVector.fromArray(S, x, xp + i).sub(vmax).intoArray(e, ep + i);
        VectorMath.exp(e, ep, e, ep, bound);
        FloatVector sum = FloatVector.zero(S);
        for (int i = 0; i < bound; i += LANES) sum = sum.add(FloatVector.fromArray(S, e, ep + i));
        if (tail > 0) {
            java.util.Arrays.fill(pad, tail, LANES, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < tail; j++) pad[j] = x[xp + bound + j] - max;
            VectorMath.exp(pad, 0, pad, 0, LANES);
            sum = sum.add(FloatVector.fromArray(S, pad, 0));
        }
        float[] lanes = VectorMath.laneBuffer();
        sum.intoArray(lanes, 0);
        float total = VectorMath.sumLanes(lanes);
        if (log) {
            float logTotal = (float) Math.log(total);
            FloatVector last = FloatVector.broadcast(S, logTotal);
            for (int i = 0; i < bound; i += LANES) FloatVector.fromArray(S, x, xp + i).sub(vmax).sub(last).intoArray(out, op + i);
            for (int j = 0; j < tail; j++) out[op + bound + j] = x[xp + bound + j] - max - logTotal;
        } else {
            FloatVector last = FloatVector.broadcast(S, total);
            for (int i = 0; i < bound; i += LANES) FloatVector.fromArray(S, out, op + i).div(last).intoArray(out, op + i);
            for (int j = 0; j < tail; j++) out[op + bound + j] = pad[j] / total;
        }
    }
}
