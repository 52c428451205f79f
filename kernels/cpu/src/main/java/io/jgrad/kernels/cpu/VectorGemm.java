package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.HostStorage;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix product {@code C = A·B} (or {@code C += A·B}) over strided operands, in the layered
 * scheme of Goto and van de Geijn ("Anatomy of high-performance matrix multiplication", 2008) as BLIS runs it:
 *
 * <pre>
 * for jc in N by NC:                       B panel  kc x nc  packed once per (jc, pc), lives in L3
 *   for pc in K by KC (equal blocks of at most KC):
 *     pack B[pc.., jc..] into NR-wide micro-panels
 *     for ic in M by MC:                   A block  mc x kc  packed, lives in L2
 *       pack A[ic.., pc..] into MR-tall micro-panels
 *       for jr in nc by NR:                B micro-panel  kc x NR  stays in L1
 *         for ir in mc by MR:
 *           C[ir.., jr..] (+)= micro-kernel(A micro-panel, B micro-panel)
 * </pre>
 *
 * The micro-kernel keeps an {@code MR x NR} block of C in {@code MR * 2} vector registers ({@code NR} is two
 * vectors of the preferred species: 32 floats with AVX-512, 16 with AVX2), and for each k broadcasts one
 * element of A per row and multiplies it into two vectors of B with fused multiply-adds. Packing makes both
 * operands unit-stride whatever their strides were (so transposed operands cost nothing extra) and pads the
 * last micro-panels with zeros, so the micro-kernel always computes a full block and only the write-back
 * looks at the edges.
 *
 * <p>Every element of C is summed in the same order (k blocks in ascending order, k ascending within a
 * block) however the product is split into tasks, so results do not depend on the number of threads.
 */
final class VectorGemm {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Rows of the register block. */
    static final int MR = 6;
    /** Columns of the register block: two vectors. */
    static final int NR = 2 * LANES;
    /** Largest depth of a packed block; {@link #depthBlock} splits k into equal blocks of at most this. */
    static final int KC = 512;
    /** Rows of a packed A block (a multiple of MR): MC x KC floats should stay in L2. */
    static final int MC = 48;
    /** Columns of a packed B panel (a multiple of NR). */
    static final int NC = 2048;

    /** Below this many multiply-adds per call a product runs on the calling thread alone. */
    static final long MIN_PARALLEL_FMAS = 1L << 20;

    private static final ThreadLocal<Matmul> JOBS = ThreadLocal.withInitial(Matmul::new);

    private VectorGemm() {
    }

    /**
     * {@code out = a·b} for float32 arrays {@code [..., M, K]·[..., K, N] -> [..., M, N]} whose batch dims are
     * equal (possibly expanded, stride 0). Tasks are whole matrices of the batch or, when the batch is smaller
     * than the pool, column (or row) ranges of one product.
     */
    static void matmul(NDArray a, NDArray b, NDArray out, KernelPool pool) {
        Matmul job = JOBS.get();
        job.plan(a, b, out, pool.threads());
        try {
            pool.run(job.tasks(), job, job.worthSplitting());
        } finally {
            job.release();
        }
    }

    /** One batched product split into tasks; reused by the calling thread so a call allocates nothing. */
    private static final class Matmul implements KernelPool.Body {
        private NDArray a, b, out;
        private float[] as, bs, cs;
        private int m, n, k, rank, batch, tilesM, tilesN, chunkM, chunkN;

        void plan(NDArray a, NDArray b, NDArray out, int threads) {
            this.a = a;
            this.b = b;
            this.out = out;
            this.as = floats(a);
            this.bs = floats(b);
            this.cs = floats(out);
            rank = out.rank();
            m = out.shape(rank - 2);
            n = out.shape(rank - 1);
            k = a.shape(rank - 1);
            batch = 1;
            for (int d = 0; d < rank - 2; d++) batch *= out.shape(d);
            tilesM = 1;
            tilesN = 1;
            if (batch < threads && worthSplitting()) {
                int want = (threads + batch - 1) / batch;
                if (n >= m) tilesN = Math.min(want, ceilDiv(n, NR));
                else tilesM = Math.min(want, ceilDiv(m, MR));
            }
            chunkM = roundUp(ceilDiv(m, tilesM), MR);
            chunkN = roundUp(ceilDiv(n, tilesN), NR);
            tilesM = Math.max(1, ceilDiv(m, chunkM));
            tilesN = Math.max(1, ceilDiv(n, chunkN));
        }

        int tasks() {
            return batch * tilesM * tilesN;
        }

        boolean worthSplitting() {
            return (long) batch * m * n * k >= MIN_PARALLEL_FMAS;
        }

        void release() {
            a = b = out = null;
            as = bs = cs = null;
        }

        @Override
        public void run(int task) {
            int tile = task % (tilesM * tilesN), t = task / (tilesM * tilesN);
            int i0 = (tile / tilesN) * chunkM, j0 = (tile % tilesN) * chunkN;
            int rows = Math.min(chunkM, m - i0), cols = Math.min(chunkN, n - j0);
            if (rows <= 0 || cols <= 0) return;
            int rsA = a.stride(rank - 2), csA = a.stride(rank - 1);
            int rsB = b.stride(rank - 2), csB = b.stride(rank - 1);
            int rsC = out.stride(rank - 2), csC = out.stride(rank - 1);
            int aOff = batchOffset(a, t) + i0 * rsA, bOff = batchOffset(b, t) + j0 * csB, cOff = batchOffset(out, t) + i0 * rsC + j0 * csC;
            sgemm(rows, cols, k, as, aOff, rsA, csA, bs, bOff, rsB, csB, cs, cOff, rsC, csC, false);
        }

        /** Storage position of the first element of matrix {@code t} (row-major over the batch dims). */
        private int batchOffset(NDArray x, int t) {
            int pos = x.offset();
            for (int d = rank - 3; d >= 0; d--) {
                int size = x.shape(d);
                pos += (t % size) * x.stride(d);
                t /= size;
            }
            return pos;
        }
    }

    static float[] floats(NDArray x) {
        return ((HostStorage.Float32) x.storage()).data;
    }

    /**
     * {@code C = A·B} ({@code accumulate}: {@code C += A·B}) for an {@code m x k} A, a {@code k x n} B and an
     * {@code m x n} C, each given by its array, the position of element [0, 0], and row and column strides.
     * Runs on the calling thread, using its {@link Workspace}.
     */
    static void sgemm(int m, int n, int k,
                      float[] a, int aOff, int rsA, int csA,
                      float[] b, int bOff, int rsB, int csB,
                      float[] c, int cOff, int rsC, int csC, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) zero(m, n, c, cOff, rsC, csC);
            return;
        }
        if (n < NR && paddedWork(n, m) < paddedWork(m, n)) {
            // C^T = B^T·A^T wastes less on padding to MR x NR blocks (e.g. n = 9 < NR); every element is still
            // the same sum in the same order, so the result is bitwise the same.
            sgemm(n, m, k, b, bOff, csB, rsB, a, aOff, csA, rsA, c, cOff, csC, rsC, accumulate);
            return;
        }
        Workspace ws = Workspace.local();
        int kb = depthBlock(k);
        float[] packedB = ws.floats(Workspace.Slot.PACKED_B, kb * roundUp(Math.min(n, NC), NR));
        float[] packedA = ws.floats(Workspace.Slot.PACKED_A, kb * roundUp(Math.min(m, MC), MR));
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                packB(kc, nc, b, bOff + pc * rsB + jc * csB, rsB, csB, packedB, 0);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(mc, kc, a, aOff + ic * rsA + pc * csA, rsA, csA, packedA, 0);
                    macroKernel(mc, nc, kc, packedA, 0, packedB, 0, c, cOff + ic * rsC + jc * csC, rsC, csC, pc == 0 && !accumulate);
                }
            }
        }
    }

    /** Writes one micro-panel of B when it is needed: rows {@code k0 .. k0+kc-1}, columns {@code j0 .. j0+NR-1}. */
    interface PanelSource {
        /** Element (k0 + p, j0 + j) goes to {@code panel[p * NR + j]}; columns past the end of B are 0. */
        void pack(int k0, int kc, int j0, float[] panel);
    }

    /**
     * {@code C = A·B} ({@code accumulate}: {@code C += A·B}) with A packed in advance by {@link #packAllA} (at
     * {@code aOff}) and B produced one micro-panel at a time by {@code b}, right before the micro-kernels that
     * use it, so it is read back from L1 and no packed copy of all of B is ever written. For products whose B
     * is computed rather than stored, e.g. the im2col columns of a convolution, and whose A (the weights) is
     * packed once for many products.
     */
    static void multiplyPanels(int m, int n, int k, float[] a, int aOff, PanelSource b,
                               float[] c, int cOff, int rsC, int csC, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) zero(m, n, c, cOff, rsC, csC);
            return;
        }
        Workspace ws = Workspace.local();
        int kb = depthBlock(k);
        float[] panel = ws.floats(Workspace.Slot.PACKED_B, kb * NR), tile = ws.floats(Workspace.Slot.TILE, MR * NR);
        for (int pc = 0; pc < k; pc += kb) {
            int kc = Math.min(kb, k - pc), aBlock = aOff + pc * roundUp(m, MR);
            boolean overwrite = pc == 0 && !accumulate;
            for (int jr = 0; jr < n; jr += NR) {
                int nr = Math.min(NR, n - jr);
                b.pack(pc, kc, jr, panel);
                for (int ir = 0; ir < m; ir += MR) {
                    microKernel(kc, a, aBlock + ir * kc, panel, 0, tile);
                    writeBack(tile, Math.min(MR, m - ir), nr, c, cOff + ir * rsC + jr * csC, rsC, csC, overwrite);
                }
            }
        }
    }

    /** Floats {@link #packAllA} writes for an {@code m x k} A. */
    static int packedSizeA(int m, int k) {
        return roundUp(m, MR) * k;
    }

    /**
     * The depth of the blocks k is cut into: equal (but for the last) and at most KC, so that no block is much
     * shallower than the others (k = 576 gives 288 + 288 rather than 512 + 64: each block ends with a pass over C).
     */
    static int depthBlock(int k) {
        return ceilDiv(k, Math.max(1, ceilDiv(k, KC)));
    }

    /** Packs all of an {@code m x k} A: its {@link #depthBlock} blocks one after the other, each as {@link #packA} lays it out. */
    static void packAllA(int m, int k, float[] a, int off, int rs, int cs, float[] packed, int dst) {
        int kb = depthBlock(k);
        for (int pc = 0; pc < k; pc += kb) packA(m, Math.min(kb, k - pc), a, off + pc * cs, rs, cs, packed, dst + pc * roundUp(m, MR));
    }

    /** The two inner loops over one packed {@code mc x kc} block of A and {@code kc x nc} panel of B. */
    private static void macroKernel(int mc, int nc, int kc, float[] a, int aOff, float[] b, int bOff,
                                    float[] c, int cOff, int rsC, int csC, boolean overwrite) {
        float[] tile = Workspace.local().floats(Workspace.Slot.TILE, MR * NR);
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                microKernel(kc, a, aOff + ir * kc, b, bOff + jr * kc, tile);
                writeBack(tile, Math.min(MR, mc - ir), nr, c, cOff + ir * rsC + jr * csC, rsC, csC, overwrite);
            }
        }
    }

    /**
     * Packs the {@code mc x kc} block of A at {@code off} into micro-panels of MR rows from {@code dst} on:
     * element (i, p) goes to {@code dst + (i / MR) * MR * kc + p * MR + i % MR}. Rows past {@code mc} are zero.
     */
    static void packA(int mc, int kc, float[] a, int off, int rs, int cs, float[] packed, int dst) {
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int base = dst + i0 * kc, rows = Math.min(MR, mc - i0);
            for (int r = 0; r < rows; r++) {
                int src = off + (i0 + r) * rs;
                for (int p = 0; p < kc; p++) packed[base + p * MR + r] = a[src + p * cs];
            }
            for (int r = rows; r < MR; r++) {
                for (int p = 0; p < kc; p++) packed[base + p * MR + r] = 0f;
            }
        }
    }

    /**
     * Packs the {@code kc x nc} block of B at {@code off} into micro-panels of NR columns from {@code dst} on:
     * element (p, j) goes to {@code dst + (j / NR) * NR * kc + p * NR + j % NR}. Columns past {@code nc} are zero.
     */
    static void packB(int kc, int nc, float[] b, int off, int rs, int cs, float[] packed, int dst) {
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int base = dst + j0 * kc, cols = Math.min(NR, nc - j0);
            if (cs == 1) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, off + p * rs + j0, packed, base + p * NR, cols);
                    for (int j = cols; j < NR; j++) packed[base + p * NR + j] = 0f;
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    int src = off + (j0 + j) * cs;
                    for (int p = 0; p < kc; p++) packed[base + p * NR + j] = b[src + p * rs];
                }
                for (int j = cols; j < NR; j++) {
                    for (int p = 0; p < kc; p++) packed[base + p * NR + j] = 0f;
                }
            }
        }
    }

    /**
     * {@code tile = Σ_p A[:, p] ⊗ B[p, :]} for one MR-row micro-panel of packed A (at {@code ai}) and one
     * NR-column micro-panel of packed B (at {@code bi}); {@code tile} is MR x NR, row-major.
     */
    static void microKernel(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * NR, ap = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[ap + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, LANES);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + LANES);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + LANES);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + LANES);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + LANES);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + LANES);
    }

    /** Stores (or adds) the top-left {@code mr x nr} of a row-major MR x NR tile into C. */
    private static void writeBack(float[] tile, int mr, int nr, float[] c, int off, int rs, int cs, boolean overwrite) {
        if (cs == 1 && nr == NR) {
            for (int r = 0; r < mr; r++) {
                for (int j = 0; j < NR; j += LANES) {
                    FloatVector t = FloatVector.fromArray(SPECIES, tile, r * NR + j);
                    int pos = off + r * rs + j;
                    if (!overwrite) t = t.add(FloatVector.fromArray(SPECIES, c, pos));
                    t.intoArray(c, pos);
                }
            }
            return;
        }
        for (int r = 0; r < mr; r++) {
            for (int j = 0; j < nr; j++) {
                int pos = off + r * rs + j * cs;
                c[pos] = overwrite ? tile[r * NR + j] : c[pos] + tile[r * NR + j];
            }
        }
    }

    /** Multiply-adds the micro-kernel does for an m x n result, padding included. */
    private static long paddedWork(int m, int n) {
        return (long) roundUp(m, MR) * roundUp(n, NR);
    }

    private static void zero(int m, int n, float[] c, int off, int rs, int cs) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) c[off + i * rs + j * cs] = 0f;
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static int roundUp(int a, int multiple) {
        return ceilDiv(a, multiple) * multiple;
    }
}
