package io.jgrad.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
    /** Columns of C one {@link #rowMajor} pass keeps in registers: 4 vectors x up to 4 rows = 16 accumulators. */
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

    /** B row-major: per depth block (as {@link VectorGemm#depthBlock}) and per 4-vector column strip, k-ordered FMAs. */
    private static void rowMajor(int m, int j0, int j1, int k, float[] a, int aOff, int rsA, int csA, float[] b, int bOff, int rsB,
                                 float[] c, int cOff, int rsC, int csC, boolean accumulate) {
        int kb = VectorGemm.depthBlock(k);
        float[] tile = Workspace.local().floats(Workspace.Slot.TILE, MAX_ROWS * ROW_MAJOR_COLUMNS);
        for (int pc = 0; pc < k; pc += kb) {
            int kc = Math.min(kb, k - pc);
            boolean overwrite = pc == 0 && !accumulate;
            for (int j = j0; j < j1; j += ROW_MAJOR_COLUMNS) {
                int cols = Math.min(ROW_MAJOR_COLUMNS, j1 - j);
                int vectors = cols / LANES;
                int pos = bOff + pc * rsB + j, ap = aOff + pc * csA;
                if (vectors == 4) strip4(m, kc, a, ap, rsA, csA, b, pos, rsB, tile);
                else if (vectors > 0) stripNarrow(m, kc, vectors, a, ap, rsA, csA, b, pos, rsB, tile);
                // columns past the last whole vector: scalar, same k order
                for (int jj = vectors * LANES; jj < cols; jj++) {
                    for (int i = 0; i < m; i++) {
                        float s = 0f;
                        for (int p = 0; p < kc; p++) s = Math.fma(a[ap + i * rsA + p * csA], b[pos + p * rsB + jj], s);
                        tile[i * ROW_MAJOR_COLUMNS + jj] = s;
                    }
                }
                store(m, cols, tile, c, cOff + j * csC, rsC, csC, overwrite);
            }
        }
    }

    /** 4 vectors of columns for up to 4 rows (rows past m are computed from row 0 and never stored). */
    private static void strip4(int m, int kc, float[] a, int ap, int rsA, int csA, float[] b, int pos, int rsB, float[] tile) {
        int r1 = m > 1 ? rsA : 0, r2 = m > 2 ? 2 * rsA : 0, r3 = m > 3 ? 3 * rsA : 0;
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0; p < kc; p++) {
            int bp = pos + p * rsB, aq = ap + p * csA;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bp + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bp + 3 * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[aq]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            if (m > 1) {
                x = FloatVector.broadcast(SPECIES, a[aq + r1]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                c12 = x.fma(b2, c12);
                c13 = x.fma(b3, c13);
                x = FloatVector.broadcast(SPECIES, a[aq + r2]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                c22 = x.fma(b2, c22);
                c23 = x.fma(b3, c23);
                x = FloatVector.broadcast(SPECIES, a[aq + r3]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
                c32 = x.fma(b2, c32);
                c33 = x.fma(b3, c33);
            }
        }
        final int w = ROW_MAJOR_COLUMNS;
        c00.intoArray(tile, 0);
        c01.intoArray(tile, LANES);
        c02.intoArray(tile, 2 * LANES);
        c03.intoArray(tile, 3 * LANES);
        c10.intoArray(tile, w);
        c11.intoArray(tile, w + LANES);
        c12.intoArray(tile, w + 2 * LANES);
        c13.intoArray(tile, w + 3 * LANES);
        c20.intoArray(tile, 2 * w);
        c21.intoArray(tile, 2 * w + LANES);
        c22.intoArray(tile, 2 * w + 2 * LANES);
        c23.intoArray(tile, 2 * w + 3 * LANES);
        c30.intoArray(tile, 3 * w);
        c31.intoArray(tile, 3 * w + LANES);
        c32.intoArray(tile, 3 * w + 2 * LANES);
        c33.intoArray(tile, 3 * w + 3 * LANES);
    }

    /** Fewer than 4 whole vectors of columns (the strip at the right edge): one vector at a time, up to 4 rows. */
    private static void stripNarrow(int m, int kc, int vectors, float[] a, int ap, int rsA, int csA, float[] b, int pos, int rsB, float[] tile) {
        int r1 = m > 1 ? rsA : 0, r2 = m > 2 ? 2 * rsA : 0, r3 = m > 3 ? 3 * rsA : 0;
        for (int v = 0; v < vectors; v++) {
            FloatVector c0 = FloatVector.zero(SPECIES), c1 = c0, c2 = c0, c3 = c0;
            int bv = pos + v * LANES;
            for (int p = 0; p < kc; p++) {
                int aq = ap + p * csA;
                FloatVector b0 = FloatVector.fromArray(SPECIES, b, bv + p * rsB);
                c0 = FloatVector.broadcast(SPECIES, a[aq]).fma(b0, c0);
                c1 = FloatVector.broadcast(SPECIES, a[aq + r1]).fma(b0, c1);
                c2 = FloatVector.broadcast(SPECIES, a[aq + r2]).fma(b0, c2);
                c3 = FloatVector.broadcast(SPECIES, a[aq + r3]).fma(b0, c3);
            }
            int t = v * LANES, w = ROW_MAJOR_COLUMNS;
            c0.intoArray(tile, t);
            c1.intoArray(tile, w + t);
            c2.intoArray(tile, 2 * w + t);
            c3.intoArray(tile, 3 * w + t);
        }
    }

    /** Stores (or adds) the first m rows and cols columns of the tile into C. */
    private static void store(int m, int cols, float[] tile, float[] c, int off, int rsC, int csC, boolean overwrite) {
        int vectors = csC == 1 ? cols - cols % LANES : 0;
        for (int i = 0; i < m; i++) {
            int row = off + i * rsC, t = i * ROW_MAJOR_COLUMNS;
            for (int j = 0; j < vectors; j += LANES) {
                FloatVector v = FloatVector.fromArray(SPECIES, tile, t + j);
                if (!overwrite) v = v.add(FloatVector.fromArray(SPECIES, c, row + j));
                v.intoArray(c, row + j);
            }
            for (int j = vectors; j < cols; j++) {
                int p = row + j * csC;
                c[p] = overwrite ? tile[t + j] : c[p] + tile[t + j];
            }
        }
    }

    /**
     * B column-major (B = Wᵀ, column j is the contiguous row {@code bOff + j·csB} of W): four columns at a time,
     * each row of A against four rows of W, vectorised along k; A rows are contiguous here.
     */
    private static void columnMajor(int m, int j0, int j1, int k, float[] a, int aOff, int rsA, float[] b, int bOff, int csB,
                                    float[] c, int cOff, int rsC, int csC, boolean accumulate) {
        int kv = k - k % LANES;
        int j = j0;
        if (m == 1) j = oneRowEightColumns(j0, j1, k, kv, a, aOff, b, bOff, csB, c, cOff, csC, accumulate);
        for (; j + 4 <= j1; j += 4) {
            int w0 = bOff + j * csB, w1 = w0 + csB, w2 = w1 + csB, w3 = w2 + csB;
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * rsA;
                FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
                for (int p = 0; p < kv; p += LANES) {
                    FloatVector x = FloatVector.fromArray(SPECIES, a, ai + p);
                    s0 = x.fma(FloatVector.fromArray(SPECIES, b, w0 + p), s0);
                    s1 = x.fma(FloatVector.fromArray(SPECIES, b, w1 + p), s1);
                    s2 = x.fma(FloatVector.fromArray(SPECIES, b, w2 + p), s2);
                    s3 = x.fma(FloatVector.fromArray(SPECIES, b, w3 + p), s3);
                }
                float d0 = s0.reduceLanes(VectorOperators.ADD), d1 = s1.reduceLanes(VectorOperators.ADD);
                float d2 = s2.reduceLanes(VectorOperators.ADD), d3 = s3.reduceLanes(VectorOperators.ADD);
                for (int p = kv; p < k; p++) {
                    float x = a[ai + p];
                    d0 = Math.fma(x, b[w0 + p], d0);
                    d1 = Math.fma(x, b[w1 + p], d1);
                    d2 = Math.fma(x, b[w2 + p], d2);
                    d3 = Math.fma(x, b[w3 + p], d3);
                }
                int ci = cOff + i * rsC + j * csC;
                put(c, ci, d0, accumulate);
                put(c, ci + csC, d1, accumulate);
                put(c, ci + 2 * csC, d2, accumulate);
                put(c, ci + 3 * csC, d3, accumulate);
            }
        }
        for (; j < j1; j++) {
            int w0 = bOff + j * csB;
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * rsA;
                FloatVector s0 = FloatVector.zero(SPECIES);
                for (int p = 0; p < kv; p += LANES) s0 = FloatVector.fromArray(SPECIES, a, ai + p).fma(FloatVector.fromArray(SPECIES, b, w0 + p), s0);
                float d0 = s0.reduceLanes(VectorOperators.ADD);
                for (int p = kv; p < k; p++) d0 = Math.fma(a[ai + p], b[w0 + p], d0);
                put(c, cOff + i * rsC + j * csC, d0, accumulate);
            }
        }
    }

    /**
     * One row of A against eight rows of W at a time: eight independent FMA chains, enough to keep both FMA
     * pipes busy through the FMA latency (four chains, as the 4-column loop has for one row, leave half idle).
     * Returns the first column it did not do.
     */
    private static int oneRowEightColumns(int j0, int j1, int k, int kv, float[] a, int ai, float[] b, int bOff, int csB,
                                          float[] c, int cOff, int csC, boolean accumulate) {
        int j = j0;
        for (; j + 8 <= j1; j += 8) {
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
            int cj = cOff + j * csC;
            put(c, cj, tail(s0, a, ai, b, w0, kv, k), accumulate);
            put(c, cj + csC, tail(s1, a, ai, b, w1, kv, k), accumulate);
            put(c, cj + 2 * csC, tail(s2, a, ai, b, w2, kv, k), accumulate);
            put(c, cj + 3 * csC, tail(s3, a, ai, b, w3, kv, k), accumulate);
            put(c, cj + 4 * csC, tail(s4, a, ai, b, w4, kv, k), accumulate);
            put(c, cj + 5 * csC, tail(s5, a, ai, b, w5, kv, k), accumulate);
            put(c, cj + 6 * csC, tail(s6, a, ai, b, w6, kv, k), accumulate);
            put(c, cj + 7 * csC, tail(s7, a, ai, b, w7, kv, k), accumulate);
        }
        return j;
    }

    /** The lane sum of {@code s} plus the scalar products of the k tail ({@code kv .. k}) of a row of A and a row of W. */
    private static float tail(FloatVector s, float[] a, int ai, float[] b, int w, int kv, int k) {
        float sum = s.reduceLanes(VectorOperators.ADD);
        for (int p = kv; p < k; p++) sum = Math.fma(a[ai + p], b[w + p], sum);
        return sum;
    }

    private static void put(float[] c, int pos, float v, boolean accumulate) {
        c[pos] = accumulate ? c[pos] + v : v;
    }
}
