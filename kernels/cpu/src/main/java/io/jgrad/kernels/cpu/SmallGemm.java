package io.jgrad.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C = A·B} for a few rows of A (batch-1 inference, a recurrent step at batch 1), reading B where it lies
 * instead of packing it: packing copies all of B to multiply it by one row, which cost ~90% of an MLP's batch-1
 * forward. Two kernels, by B's layout:
 * <ul>
 *   <li>{@link #rowMajor}: B's rows are contiguous ({@code csB == 1}). Each C row is {@code Σ_p A[i, p]·B[p, :]},
 *       vectors of B's row times a broadcast element of A, in k order: for each element the same chain of fused
 *       multiply-adds (and the same depth blocks) as {@link VectorGemm#sgemm}, so the bits are those of the
 *       packed product.</li>
 *   <li>{@link #columnMajor}: B's columns are contiguous ({@code rsB == 1}): the transposed weight of
 *       {@code Linear}, {@code x·Wᵀ}, whose column j is row j of W. Each element is a dot product of a row of A
 *       with a row of W, vectorised along k (lane sums reduced at the end, so the rounding differs from the
 *       packed product's in the last bits).</li>
 * </ul>
 * Other layouts go to the packed product.
 */
final class SmallGemm {

    private static final VectorSpecies<Float> SPECIES = VectorGemm.SPECIES;
    private static final int LANES = VectorGemm.LANES;
    /** Up to this many rows of A take this path: each B vector loaded serves MAX_ROWS multiply-adds. */
    static final int MAX_ROWS = 4;
    /** Columns of C one {@link #rowMajor} pass keeps in registers: 4 vectors (four FMA chains) per row. */
    static final int ROW_MAJOR_COLUMNS = 4 * LANES;

    private SmallGemm() {
    }

    /** Whether {@link #multiply} takes an m-row product with B of these strides. */
    static boolean suits(int m, int rsB, int csB) {
        return m >= 1 && m <= MAX_ROWS && (csB == 1 || rsB == 1);
    }

    /**
     * {@code C[:, j0 .. j1) = A·B[:, j0 .. j1)} ({@code accumulate}: {@code +=}) for {@code m <= MAX_ROWS} and B
     * with unit row or column stride ({@link #suits}); positions and strides as {@link VectorGemm#sgemm}.
     */
    static void multiply(int m, int j0, int j1, int k, float[] a, int aOff, int rsA, int csA, float[] b, int bOff, int rsB, int csB,
                         float[] c, int cOff, int rsC, int csC, boolean accumulate) {
        if (m == 0 || j1 <= j0) return;
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) for (int j = j0; j < j1; j++) c[cOff + i * rsC + j * csC] = 0f;
            }
            return;
        }
        if (csB == 1) {
            rowMajor(m, j0, j1, k, a, aOff, rsA, csA, b, bOff, rsB, c, cOff, rsC, csC, accumulate);
        } else {
            // A's rows are read as vectors: copy them to unit stride first when they are not (a few rows, cheap).
            if (csA != 1) {
                float[] rows = Workspace.local().floats(Workspace.Slot.SMALL_A, m * k);
                for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) rows[i * k + p] = a[aOff + i * rsA + p * csA];
                a = rows;
                aOff = 0;
                rsA = k;
            }
            columnMajor(m, j0, j1, k, a, aOff, rsA, b, bOff, csB, c, cOff, rsC, csC, accumulate);
        }
    }

    /**
     * B row-major: per depth block (as {@link VectorGemm#depthBlock}), per strip of 4 vectors of columns and per
     * row of A, four vectors of C summed in k order. B's strip is read once per row: at most {@link #MAX_ROWS}
     * times, from cache after the first.
     */
    private static void rowMajor(int m, int j0, int j1, int k, float[] a, int aOff, int rsA, int csA, float[] b, int bOff, int rsB,
                                 float[] c, int cOff, int rsC, int csC, boolean accumulate) {
        int kb = VectorGemm.depthBlock(k);
        float[] tile = Workspace.local().floats(Workspace.Slot.TILE, ROW_MAJOR_COLUMNS);
        for (int pc = 0; pc < k; pc += kb) {
            int kc = Math.min(kb, k - pc);
            boolean overwrite = pc == 0 && !accumulate;
            for (int j = j0; j < j1; j += ROW_MAJOR_COLUMNS) {
                int cols = Math.min(ROW_MAJOR_COLUMNS, j1 - j), vectors = cols / LANES, pos = bOff + pc * rsB + j;
                for (int i = 0; i < m; i++) {
                    int ap = aOff + i * rsA + pc * csA;
                    int v = 0;
                    if (vectors == 4) {
                        strip(kc, a, ap, csA, b, pos, rsB, tile);
                        v = 4;
                    }
                    for (; v < vectors; v++) {
                        FloatVector s = FloatVector.zero(SPECIES);
                        for (int p = 0; p < kc; p++) s = FloatVector.broadcast(SPECIES, a[ap + p * csA]).fma(FloatVector.fromArray(SPECIES, b, pos + p * rsB + v * LANES), s);
                        s.intoArray(tile, v * LANES);
                    }
                    // columns past the last whole vector: scalar, same k order
                    for (int jj = vectors * LANES; jj < cols; jj++) {
                        float s = 0f;
                        for (int p = 0; p < kc; p++) s = Math.fma(a[ap + p * csA], b[pos + p * rsB + jj], s);
                        tile[jj] = s;
                    }
                    store(cols, tile, c, cOff + i * rsC + j * csC, csC, overwrite);
                }
            }
        }
    }

    /** One row of A times a 4-vector strip of B's rows: four FMA chains, into {@code tile[0 .. 4·LANES)}. */
    private static void strip(int kc, float[] a, int ap, int csA, float[] b, int pos, int rsB, float[] tile) {
        FloatVector c0 = FloatVector.zero(SPECIES), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0; p < kc; p++) {
            int bp = pos + p * rsB;
            FloatVector x = FloatVector.broadcast(SPECIES, a[ap + p * csA]);
            c0 = x.fma(FloatVector.fromArray(SPECIES, b, bp), c0);
            c1 = x.fma(FloatVector.fromArray(SPECIES, b, bp + LANES), c1);
            c2 = x.fma(FloatVector.fromArray(SPECIES, b, bp + 2 * LANES), c2);
            c3 = x.fma(FloatVector.fromArray(SPECIES, b, bp + 3 * LANES), c3);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, LANES);
        c2.intoArray(tile, 2 * LANES);
        c3.intoArray(tile, 3 * LANES);
    }

    /** Stores (or adds) the first cols values of the tile into a row of C. */
    private static void store(int cols, float[] tile, float[] c, int row, int csC, boolean overwrite) {
        int vectors = csC == 1 ? cols - cols % LANES : 0;
        for (int j = 0; j < vectors; j += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, tile, j);
            if (!overwrite) v = v.add(FloatVector.fromArray(SPECIES, c, row + j));
            v.intoArray(c, row + j);
        }
        for (int j = vectors; j < cols; j++) {
            int p = row + j * csC;
            c[p] = overwrite ? tile[j] : c[p] + tile[j];
        }
    }

    /**
     * B column-major (B = Wᵀ, column j is the contiguous row {@code bOff + j·csB} of W): eight columns at a
     * time, each row of A against eight rows of W, vectorised along k, then the last columns one by one; A rows
     * are contiguous here.
     */
    private static void columnMajor(int m, int j0, int j1, int k, float[] a, int aOff, int rsA, float[] b, int bOff, int csB,
                                    float[] c, int cOff, int rsC, int csC, boolean accumulate) {
        int kv = k - k % LANES;
        int j = j0;
        float[] lanes = Workspace.local().floats(Workspace.Slot.LANES, 8 * LANES); // the accumulators' lanes, to add in order
        // rows inside: the group's eight rows of W are read again from L1 for each row of A
        for (; j + 8 <= j1; j += 8) {
            for (int i = 0; i < m; i++) eightColumns(j, k, kv, a, aOff + i * rsA, b, bOff, csB, c, cOff + i * rsC, csC, accumulate, lanes);
        }
        for (; j < j1; j++) {
            int w0 = bOff + j * csB;
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * rsA;
                FloatVector s0 = FloatVector.zero(SPECIES);
                for (int p = 0; p < kv; p += LANES) s0 = FloatVector.fromArray(SPECIES, a, ai + p).fma(FloatVector.fromArray(SPECIES, b, w0 + p), s0);
                s0.intoArray(lanes, 0);
                put(c, cOff + i * rsC + j * csC, tail(lanes, 0, a, ai, b, w0, kv, k), accumulate);
            }
        }
    }

    /**
     * Columns {@code j .. j+7} of one row of C: the row of A against eight rows of W, eight independent FMA
     * chains (enough to keep both FMA pipes busy through the FMA latency).
     */
    private static void eightColumns(int j, int k, int kv, float[] a, int ai, float[] b, int bOff, int csB,
                                     float[] c, int cOff, int csC, boolean accumulate, float[] lanes) {
        int w0 = bOff + j * csB, w1 = w0 + csB, w2 = w1 + csB, w3 = w2 + csB, w4 = w3 + csB, w5 = w4 + csB, w6 = w5 + csB, w7 = w6 + csB;
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int p = 0; p < kv; p += LANES) {
            FloatVector x = FloatVector.fromArray(SPECIES, a, ai + p);
            s0 = x.fma(FloatVector.fromArray(SPECIES, b, w0 + p), s0);
            s1 = x.fma(FloatVector.fromArray(SPECIES, b, w1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(SPECIES, b, w2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(SPECIES, b, w3 + p), s3);
            s4 = x.fma(FloatVector.fromArray(SPECIES, b, w4 + p), s4);
            s5 = x.fma(FloatVector.fromArray(SPECIES, b, w5 + p), s5);
            s6 = x.fma(FloatVector.fromArray(SPECIES, b, w6 + p), s6);
            s7 = x.fma(FloatVector.fromArray(SPECIES, b, w7 + p), s7);
        }
        // the sums leave as arrays: a vector passed to a method C2 does not inline runs the Vector API's fallback
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, LANES);
        s2.intoArray(lanes, 2 * LANES);
        s3.intoArray(lanes, 3 * LANES);
        s4.intoArray(lanes, 4 * LANES);
        s5.intoArray(lanes, 5 * LANES);
        s6.intoArray(lanes, 6 * LANES);
        s7.intoArray(lanes, 7 * LANES);
        int cj = cOff + j * csC;
        put(c, cj, tail(lanes, 0, a, ai, b, w0, kv, k), accumulate);
        put(c, cj + csC, tail(lanes, 1, a, ai, b, w1, kv, k), accumulate);
        put(c, cj + 2 * csC, tail(lanes, 2, a, ai, b, w2, kv, k), accumulate);
        put(c, cj + 3 * csC, tail(lanes, 3, a, ai, b, w3, kv, k), accumulate);
        put(c, cj + 4 * csC, tail(lanes, 4, a, ai, b, w4, kv, k), accumulate);
        put(c, cj + 5 * csC, tail(lanes, 5, a, ai, b, w5, kv, k), accumulate);
        put(c, cj + 6 * csC, tail(lanes, 6, a, ai, b, w6, kv, k), accumulate);
        put(c, cj + 7 * csC, tail(lanes, 7, a, ai, b, w7, kv, k), accumulate);
    }

    /**
     * The lane sum of accumulator {@code s} (its lanes at {@code lanes[s·LANES ..]}, added left to right: the same
     * bits warm or cold, which {@code reduceLanes(ADD)} does not promise) plus the scalar products of the k tail
     * ({@code kv .. k}) of a row of A and a row of W.
     */
    private static float tail(float[] lanes, int s, float[] a, int ai, float[] b, int w, int kv, int k) {
        float sum = VectorMath.sumLanes(lanes, s * LANES);
        for (int p = kv; p < k; p++) sum = Math.fma(a[ai + p], b[w + p], sum);
        return sum;
    }

    private static void put(float[] c, int pos, float v, boolean accumulate) {
        c[pos] = accumulate ? c[pos] + v : v;
    }
}
