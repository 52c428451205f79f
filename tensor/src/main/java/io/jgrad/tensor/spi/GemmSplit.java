package io.jgrad.tensor.spi;

/**
 * How a GPU GEMM splits its K dimension ("split-K") when its output alone would leave most of the device idle.
 * A product with a small C and a long K gives a tiled kernel a handful of work-groups, each looping over all of K,
 * on a device of 100 or more multiprocessors: a convolution's weight gradient ({@code 64 x 288} outputs summed
 * over batch·positions = 25088 columns in the MNIST ConvNet at batch 128: 3 tiles of 128 x 128) or a Linear
 * layer's forward at a small batch ({@code 128 x 128} over 3136 inputs: one tile). Split, slice {@code s} computes
 * the partial product over {@code K} range {@code [s·depth, min(K, (s+1)·depth))} into its own {@code M x N} block
 * of a workspace, as one batched GEMM (the slices are batches whose A and B start {@code depth} columns and rows
 * further on), and a second kernel adds the blocks in slice order into C, applying alpha and beta: deterministic,
 * no atomics, two launches (three when the last slice is shorter). Both GPU backends plan with this one rule.
 */
public record GemmSplit(int slices, int depth, int k) {

    /** Work-groups per multiprocessor the split aims at: two resident per multiprocessor hide each other's latency. */
    static final int GROUPS_PER_PROCESSOR = 2;
    /**
     * The shortest slice: a slice does {@code depth} multiply-adds per output element and writes one partial, which
     * the summing pass reads back; at 128 the partials cost under 2% of the slice's memory traffic and arithmetic.
     */
    static final int MIN_DEPTH = 128;
    /** Slice depths are multiples of this, so that vector loads stay aligned and tiles of K divide them. */
    static final int DEPTH_ALIGN = 32;

    public GemmSplit {
        if (slices < 1 || depth < 0 || k < 0 || (slices > 1 && ((long) (slices - 1) * depth >= k || (long) slices * depth < k))) {
            throw new IllegalArgumentException("GemmSplit: " + slices + " slices of depth " + depth + " do not cover K = " + k);
        }
    }

    /** No split: one product over all of K. */
    public static GemmSplit none(int k) {
        return new GemmSplit(1, k, k);
    }

    /**
     * The split for {@code batches} products of {@code m x k} by {@code k x n} on a device of {@code processors}
     * multiprocessors (compute units), with a kernel whose work-groups compute {@code tileM x tileN} outputs each.
     * Only single products split (a batch already spreads over the device); only when the tiles of C fill fewer
     * than {@link #GROUPS_PER_PROCESSOR} work-groups per processor, and each slice keeps at least {@link #MIN_DEPTH}.
     * Among depths up to twice the smallest that reaches the target, one that divides K is preferred (one launch
     * for all slices).
     */
    public static GemmSplit plan(int m, int n, int k, int batches, int tileM, int tileN, int processors) {
        if (tileM < 1 || tileN < 1) throw new IllegalArgumentException("GemmSplit: tile " + tileM + " x " + tileN);
        long groups = ceilDiv(m, tileM) * ceilDiv(n, tileN);
        long target = (long) GROUPS_PER_PROCESSOR * processors;
        if (batches != 1 || m == 0 || n == 0 || groups >= target) return none(k);
        long slices = Math.min(ceilDiv(target, groups), k / MIN_DEPTH);
        if (slices < 2) return none(k);
        int shortest = (int) roundUp(ceilDiv(k, slices), DEPTH_ALIGN);
        int depth = shortest;
        for (int d = shortest; d <= 2 * shortest && d < k; d += DEPTH_ALIGN) {
            if (k % d == 0) {
                depth = d;
                break;
            }
        }
        int count = (int) ceilDiv(k, depth);
        return count < 2 ? none(k) : new GemmSplit(count, depth, k);
    }

    public boolean isSplit() {
        return slices > 1;
    }

    /** Slices of the full {@link #depth}: all but a shorter last one. */
    public int fullSlices() {
        return slices == 1 || k % depth == 0 ? slices : slices - 1;
    }

    /** Depth of the last slice ({@link #depth} when it divides K). */
    public int lastDepth() {
        return k - (slices - 1) * depth;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long roundUp(long a, long multiple) {
        return ceilDiv(a, multiple) * multiple;
    }
}
