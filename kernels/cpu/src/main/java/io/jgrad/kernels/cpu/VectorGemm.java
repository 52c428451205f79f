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
 * The micro-kernel keeps an {@code MR x NR} block of C in vector registers and for each k broadcasts one
 * element of A per row and multiplies it into the vectors of B's row with fused multiply-adds. The register
 * blocks ({@link Block}) are sized for the species: 4 rows x 4 vectors and 8 x 2 need the 32 registers of
 * AVX-512, 6 x 2 fits the 16 of AVX2; {@link #block} picks one per product by size and padding. Packing makes both operands
 * unit-stride whatever their strides were (so transposed operands cost nothing extra) and pads the last
 * micro-panels with zeros, so the micro-kernel always computes a full block and only the write-back looks at
 * the edges.
 *
 * <p>Every element of C is summed in the same order (k blocks in ascending order, one fused multiply-add per
 * k within a block) whatever the register block and however the product is split into tasks, so results do
 * not depend on the number of threads.
 */
final class VectorGemm {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    /** A register block of the micro-kernel: {@code mr} rows by {@code nr} columns of C. */
    enum Block {
        /**
         * 4 rows x 4 vectors: 16 accumulators, and per k 4 loads of B and 4 broadcasts of A for 16 fused
         * multiply-adds. Measured at n = 1024 and 2048: about 104 GFLOP/s against 96-100 for {@link #TALL}.
         */
        WIDE(4, 4 * LANES),
        /** 6 rows x 2 vectors (BLIS' 6x16 on AVX2): 12 accumulators, within 16 registers. */
        TALL(6, 2 * LANES),
        /** 8 rows x 2 vectors: 16 accumulators; per k 2 loads of B and 8 broadcasts of A for 16 fused multiply-adds. */
        EIGHT_BY_TWO(8, 2 * LANES);

        final int mr, nr;

        Block(int mr, int nr) {
            this.mr = mr;
            this.nr = nr;
        }

        /** Multiply-adds the micro-kernels do for an m x n result, padding included. */
        long paddedWork(int m, int n) {
            return (long) roundUp(m, mr) * paddedColumns(n);
        }

        /** Columns the micro-kernels compute for n columns of C: whole panels, but a narrow last panel (see {@link #microKernel}) only to whole vectors. */
        int paddedColumns(int n) {
            int last = n % nr;
            return this == WIDE && last > 0 && last <= NARROW_COLUMNS ? n - last + roundUp(last, LANES) : roundUp(n, nr);
        }
    }

    /** {@link Block#WIDE} needs 32 vector registers: AVX-512 (16 float lanes) has them, AVX2 (8 lanes) 16. */
    static final boolean WIDE_FITS = LANES >= 16;
    /**
     * A {@link Block#WIDE} panel with at most this many columns of C (the last panel of a ragged n, e.g. 196 =
     * 3·64 + 4) runs the one-vector kernel once per vector rather than the 4x4 kernel over mostly zeros: that
     * kernel is load-bound (5 loads per 4 multiply-adds), so it pays up to two vectors of a four-vector panel.
     */
    static final int NARROW_COLUMNS = 2 * LANES;
    /** Outputs (m·n) from which {@link #block} takes {@link Block#EIGHT_BY_TWO}. */
    static final long EIGHT_BY_TWO_MIN_OUTPUTS = 256L * 256;
    /** The widest block's columns: the padding im2col masks are laid out for. */
    static final int MAX_NR = 4 * LANES;
    // Block sizes measured on a Zen 4 core (32 KB L1d, 1 MB L2, 32 MB L3), single thread, CPU time, n = 1024
    // and 2048: KC 1024 beats 512 and 256 (fewer passes over C); NC 1024 beats 2048 at n = 2048 (102-104
    // against 94-100 GFLOP/s); MC 24 and 48 are within noise.
    /** Largest depth of a packed block; {@link #depthBlock} splits k into equal blocks of at most this. */
    static final int KC = 1024;
    /** Rows of a packed A block (a multiple of both blocks' MR): MC x KC floats (96 KB) stay in L2. */
    static final int MC = 24;
    /** Columns of a packed B panel (a multiple of every NR): KC x NC floats (4 MB) stay in L3. */
    static final int NC = 1024;

    /** Below this many multiply-adds per call a product runs on the calling thread alone. */
    static final long MIN_PARALLEL_FMAS = 1L << 20;

    /** Products that packed B themselves (not from {@link PackedWeights}): lets tests see which path ran. */
    static final java.util.concurrent.atomic.LongAdder B_PACKINGS = new java.util.concurrent.atomic.LongAdder();

    private static final ThreadLocal<Matmul> JOBS = ThreadLocal.withInitial(Matmul::new);
    private static final ThreadLocal<SharedPanelProduct> SHARED_JOBS = ThreadLocal.withInitial(SharedPanelProduct::new);
    private static final ThreadLocal<SmallProduct> SMALL_JOBS = ThreadLocal.withInitial(SmallProduct::new);

    private VectorGemm() {
    }

    /**
     * {@code out = a·b} for float32 arrays {@code [..., M, K]·[..., K, N] -> [..., M, N]} whose batch dims are
     * equal (possibly expanded, stride 0). Tasks are whole matrices of the batch or, when the batch is smaller
     * than the pool, column (or row) ranges of one product.
     */
    static void matmul(NDArray a, NDArray b, NDArray out, KernelPool pool) {
        if (out.numel() == 0) return;   // nothing to write (and no tile plan for an empty m or n)
        if (out.rank() > 2 && foldable(a, b, out)) {
            // One B for every matrix of the batch (x·Wᵀ on [N, L, in]): one product of N·L rows, B packed once.
            int rank = out.rank(), rows = out.numel() / out.shape(rank - 1);
            NDArray b2 = b;
            while (b2.rank() > 2) b2 = b2.select(0, 0);
            // view, not reshape, for the result: a copy would take the product instead of out
            matmul(a.view(rows, a.shape(rank - 1)), b2, out.view(rows, out.shape(rank - 1)), pool);
            return;
        }
        int m = out.shape(out.rank() - 2);
        if (out.rank() == 2 && SmallGemm.suits(m, b.stride(0), b.stride(1))) {
            SmallProduct job = SMALL_JOBS.get();
            job.plan(a, b, out, pool.threads());
            try {
                pool.run(job.tasks, job, job.tasks > 1);
            } finally {
                job.release();
            }
            return;
        }
        if (SharedPanelProduct.suits(out, a.shape(a.rank() - 1), pool.threads())) {
            SharedPanelProduct job = SHARED_JOBS.get();
            try {
                job.multiply(a, b, out, pool);
            } finally {
                job.release();
            }
            return;
        }
        Matmul job = JOBS.get();
        job.plan(a, b, out, pool.threads());
        try {
            pool.run(job.tasks(), job, job.worthSplitting());
        } finally {
            job.release();
        }
    }

    /**
     * Whether the batch folds into the rows: B the same matrix for every batch index (batch strides 0) and the
     * batch and row dims of A and of the result each one run of rows with one stride, so that
     * {@code [..., M, K]} views as {@code [batch·M, K]} without a copy.
     */
    private static boolean foldable(NDArray a, NDArray b, NDArray out) {
        int rank = out.rank();
        for (int d = 0; d < rank - 2; d++) if (b.stride(d) != 0 && b.shape(d) != 1) return false;
        return rowsFold(a) && rowsFold(out);
    }

    /** Dims 0 .. rank-2 of x (batch and rows) are one run of rows at one stride (dims of size 1 do not count). */
    private static boolean rowsFold(NDArray x) {
        int expected = -1;
        for (int d = x.rank() - 2; d >= 0; d--) {
            if (x.shape(d) == 1) continue;
            if (expected != -1 && x.stride(d) != expected) return false;
            expected = x.stride(d) * x.shape(d);
        }
        return true;
    }

    /** A product of at most {@link SmallGemm#MAX_ROWS} rows: column ranges of {@link SmallGemm#multiply}, as tasks. */
    private static final class SmallProduct implements KernelPool.Body {
        private float[] as, bs, cs;
        private int m, n, k, aOff, rsA, csA, bOff, rsB, csB, cOff, rsC, csC, chunk, tasks;

        void plan(NDArray a, NDArray b, NDArray out, int threads) {
            as = floats(a);
            bs = floats(b);
            cs = floats(out);
            m = out.shape(0);
            n = out.shape(1);
            k = a.shape(1);
            aOff = a.offset();
            rsA = a.stride(0);
            csA = a.stride(1);
            bOff = b.offset();
            rsB = b.stride(0);
            csB = b.stride(1);
            cOff = out.offset();
            rsC = out.stride(0);
            csC = out.stride(1);
            // Reading B is the cost (memory-bound): split the columns when B is large enough to pay a hand-off.
            int want = (long) n * k >= MIN_PARALLEL_FMAS / 4 ? threads : 1;
            chunk = roundUp(ceilDiv(n, want), SmallGemm.ROW_MAJOR_COLUMNS);
            tasks = Math.max(1, ceilDiv(n, chunk));
        }

        @Override
        public void run(int task) {
            int j0 = task * chunk, j1 = Math.min(n, j0 + chunk);
            SmallGemm.multiply(m, j0, j1, k, as, aOff, rsA, csA, bs, bOff, rsB, csB, cs, cOff, rsC, csC, false);
        }

        void release() {
            as = bs = cs = null;
        }
    }

    /** One batched product split into tasks; reused by the calling thread so a call allocates nothing. */
    private static final class Matmul implements KernelPool.Body {
        private NDArray a, b, out;
        private float[] as, bs, cs;
        private int m, n, k, rank, batch, tilesM, tilesN, chunkM, chunkN;
        private Block block;
        /** B's cached packing ({@link PackedWeights}), or null: then each task packs its part of B. */
        private PackedWeights.Entry cached;

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
            Block block = block(m, n);
            this.block = block;
            // A single product whose B may be a weight: use (or admit) its cached packing; not for the narrow
            // products sgemm computes transposed (then A is the operand packed per column panel).
            if (batch == 1 && m > 0 && k > 0 && !transposes(m, n) && PackedWeights.fits(k, n, block.nr)) {
                cached = PackedWeights.acquire(b.storage(), bs, b.offset(), b.stride(rank - 2), b.stride(rank - 1), k, n, block.nr);
            }
            if (batch < threads && worthSplitting()) {
                // Each task packs the whole of the operand it does not split: column ranges each pack all of A,
                // row ranges all of B. So split the longer side, but always the rows when B comes packed from
                // the cache (then nothing is packed twice; a batch-1 Transformer layer's 64-row products spent
                // nearly as long packing A as multiplying when split by columns).
                int want = (threads + batch - 1) / batch;
                if (n >= m && cached == null) tilesN = Math.min(want, ceilDiv(n, block.nr));
                else tilesM = Math.min(want, ceilDiv(m, block.mr));
            }
            chunkM = roundUp(ceilDiv(m, tilesM), block.mr);
            chunkN = roundUp(ceilDiv(n, tilesN), block.nr);
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
            if (cached != null) PackedWeights.release(cached);
            cached = null;
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
            if (cached != null) {
                sgemmPackedB(block, rows, cols, k, as, aOff, rsA, csA, cached.packed(), j0, roundUp(n, block.nr), cs, cOff, rsC, csC);
            } else {
                sgemm(rows, cols, k, as, aOff, rsA, csA, bs, bOff, rsB, csB, cs, cOff, rsC, csC, false);
            }
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

    /**
     * One large product on all threads with each packing done once: for every (jc, pc) step the threads first
     * pack B's {@code kc x nc} panel together into one shared buffer (a micro-panel per task), then take
     * {@code MC}-row blocks of A (a block per task), each packing its own block and running the macro-kernel
     * against the shared panel. Splitting C into column halves instead, as {@link Matmul} does for small
     * batches, makes every thread pack all of A: at n = 1024 on 2 threads that repeated packing is about 5% of
     * the work. Each element of C is the same chain of micro-kernel sums as in {@link #sgemm}, so the result is
     * bitwise that of one thread. Reused by the calling thread, so a call allocates nothing.
     */
    private static final class SharedPanelProduct implements KernelPool.Body {
        private float[] as, bs, cs, packedB;
        private int m, n, k, rsA, csA, rsB, csB, rsC, csC, aOff, bOff, cOff;
        private int jc, nc, pc, kc;
        private boolean packing;
        private Block block;

        /** A single product (batch of one) big enough that every thread gets several row blocks. */
        static boolean suits(NDArray out, int k, int threads) {
            int rank = out.rank(), m = out.shape(rank - 2), n = out.shape(rank - 1);
            return threads > 1 && out.numel() == m * n && m >= 4 * MC * threads && n >= MAX_NR
                    && (long) m * n * k >= MIN_PARALLEL_FMAS * threads;
        }

        void multiply(NDArray a, NDArray b, NDArray out, KernelPool pool) {
            int rank = out.rank();
            m = out.shape(rank - 2);
            n = out.shape(rank - 1);
            k = a.shape(rank - 1);
            as = floats(a);
            bs = floats(b);
            cs = floats(out);
            rsA = a.stride(rank - 2);
            csA = a.stride(rank - 1);
            rsB = b.stride(rank - 2);
            csB = b.stride(rank - 1);
            rsC = out.stride(rank - 2);
            csC = out.stride(rank - 1);
            aOff = a.offset();   // the batch dims all have size 1
            bOff = b.offset();
            cOff = out.offset();
            if (k == 0) {
                zero(m, n, cs, cOff, rsC, csC);
                return;
            }
            block = block(m, n);
            B_PACKINGS.increment();
            int kb = depthBlock(k);
            packedB = Workspace.local().floats(Workspace.Slot.SHARED_B, kb * roundUp(Math.min(n, NC), block.nr));
            for (jc = 0; jc < n; jc += NC) {
                nc = Math.min(NC, n - jc);
                for (pc = 0; pc < k; pc += kb) {
                    kc = Math.min(kb, k - pc);
                    packing = true;
                    pool.run(ceilDiv(nc, block.nr), this);
                    packing = false;
                    pool.run(ceilDiv(m, MC), this);
                }
            }
        }

        @Override
        public void run(int task) {
            if (packing) {
                int j0 = task * block.nr;
                packB(kc, Math.min(block.nr, nc - j0), bs, bOff + pc * rsB + (jc + j0) * csB, rsB, csB, packedB, j0 * kc, block.nr);
                return;
            }
            int ic = task * MC, mc = Math.min(MC, m - ic);
            float[] packedA = Workspace.local().floats(Workspace.Slot.PACKED_A, kc * roundUp(MC, block.mr));
            packA(mc, kc, as, aOff + ic * rsA + pc * csA, rsA, csA, packedA, 0, block.mr);
            macroKernel(block, mc, nc, kc, packedA, 0, packedB, 0, cs, cOff + ic * rsC + jc * csC, rsC, csC, pc == 0);
        }

        void release() {
            as = bs = cs = packedB = null;
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
        Block block = block(m, n);
        if (transposes(m, n)) {
            // C^T = B^T·A^T wastes less on padding (e.g. n = 9 columns): every element is still the same sum
            // in the same order, so the result is bitwise the same.
            sgemm(n, m, k, b, bOff, csB, rsB, a, aOff, csA, rsA, c, cOff, csC, rsC, accumulate);
            return;
        }
        B_PACKINGS.increment();
        Workspace ws = Workspace.local();
        int kb = depthBlock(k);
        float[] packedB = ws.floats(Workspace.Slot.PACKED_B, kb * roundUp(Math.min(n, NC), block.nr));
        float[] packedA = ws.floats(Workspace.Slot.PACKED_A, kb * roundUp(Math.min(m, MC), block.mr));
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                packB(kc, nc, b, bOff + pc * rsB + jc * csB, rsB, csB, packedB, 0, block.nr);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(mc, kc, a, aOff + ic * rsA + pc * csA, rsA, csA, packedA, 0, block.mr);
                    macroKernel(block, mc, nc, kc, packedA, 0, packedB, 0, c, cOff + ic * rsC + jc * csC, rsC, csC, pc == 0 && !accumulate);
                }
            }
        }
    }

    /**
     * {@code C = A·B} for columns {@code j0 ..} of a B packed whole by {@link #packAllB} ({@code paddedN}
     * columns per depth block); {@code cOff} is C's element (0, j0). The loops of {@link #sgemm} without its
     * packing of B, so the same bits.
     */
    static void sgemmPackedB(Block block, int m, int n, int k, float[] a, int aOff, int rsA, int csA, float[] packedB, int j0, int paddedN,
                             float[] c, int cOff, int rsC, int csC) {
        int kb = depthBlock(k);
        float[] packedA = Workspace.local().floats(Workspace.Slot.PACKED_A, kb * roundUp(Math.min(m, MC), block.mr));
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(mc, kc, a, aOff + ic * rsA + pc * csA, rsA, csA, packedA, 0, block.mr);
                    macroKernel(block, mc, nc, kc, packedA, 0, packedB, pc * paddedN + (j0 + jc) * kc, c, cOff + ic * rsC + jc * csC, rsC, csC, pc == 0);
                }
            }
        }
    }

    /**
     * Packs all of a {@code k x n} B for {@link #sgemmPackedB}: depth block after depth block ({@link #depthBlock}),
     * each all n columns in {@code nr}-wide micro-panels as {@link #packB} lays them out.
     */
    static void packAllB(int k, int n, float[] b, int off, int rs, int cs, float[] packed, int nr) {
        int kb = depthBlock(k), paddedN = roundUp(n, nr);
        for (int pc = 0; pc < k; pc += kb) packB(Math.min(kb, k - pc), n, b, off + pc * rs, rs, cs, packed, pc * paddedN, nr);
    }

    /** Whether {@link #sgemm} computes an m x n product as {@code C^T = B^T·A^T}: narrow C that pads less that way. */
    static boolean transposes(int m, int n) {
        Block block = block(m, n);
        return n < block.nr && block(n, m).paddedWork(n, m) < block.paddedWork(m, n);
    }

    /** The register block for an m x n product: {@link Block#WIDE} unless {@link Block#TALL} pads clearly less. */
    static Block block(int m, int n) {
        if (!WIDE_FITS) return Block.TALL;
        // Large products: 8 x 2 streams half the bytes of B per multiply-add that 4 x 4 does (its B micro-panel,
        // kc x 2 vectors, is half as wide), which paid 2-8% at n = 1024 and 2048 on Zen 5 (1 thread, CPU time,
        // interleaved runs). Smaller products (the convolutions' and layers' shapes) keep the block they were tuned with.
        if ((long) m * n >= EIGHT_BY_TWO_MIN_OUTPUTS && Block.EIGHT_BY_TWO.paddedWork(m, n) <= Block.WIDE.paddedWork(m, n)) {
            return Block.EIGHT_BY_TWO;
        }
        // WIDE does about 5% more multiply-adds per second, so TALL must save more than that on padding.
        return Block.TALL.paddedWork(m, n) * 105 < Block.WIDE.paddedWork(m, n) * 100 ? Block.TALL : Block.WIDE;
    }

    /** Writes one micro-panel of B when it is needed: rows {@code k0 .. k0+kc-1}, columns {@code j0 .. j0+nr-1}. */
    interface PanelSource {
        /** Element (k0 + p, j0 + j) goes to {@code panel[p * nr + j]}; columns past the end of B are 0. */
        void pack(int k0, int kc, int j0, int nr, float[] panel);
    }

    /**
     * {@code C = A·B} ({@code accumulate}: {@code C += A·B}) with A packed in advance for {@code block} by
     * {@link #packAllA} (at {@code aOff}) and B produced one micro-panel at a time by {@code b}, right before the micro-kernels that
     * use it, so it is read back from L1 and no packed copy of all of B is ever written. For products whose B
     * is computed rather than stored, e.g. the im2col columns of a convolution, and whose A (the weights) is
     * packed once for many products. With {@code relu}, C ends as {@code max(C, 0)}: applied as the last depth
     * block is written back, so the activation costs no pass of its own over C.
     */
    static void multiplyPanels(Block block, int m, int n, int k, float[] a, int aOff, PanelSource b,
                               float[] c, int cOff, int rsC, int csC, boolean accumulate, boolean relu) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) zero(m, n, c, cOff, rsC, csC);
            if (relu) relu(m, n, c, cOff, rsC, csC);
            return;
        }
        Workspace ws = Workspace.local();
        int kb = depthBlock(k), mr = block.mr, nr = block.nr;
        float[] panel = ws.floats(Workspace.Slot.PACKED_B, kb * nr), tile = ws.floats(Workspace.Slot.TILE, mr * nr);
        for (int pc = 0; pc < k; pc += kb) {
            int kc = Math.min(kb, k - pc), aBlock = aOff + pc * roundUp(m, mr);
            boolean overwrite = pc == 0 && !accumulate, last = pc + kc == k;
            for (int jr = 0; jr < n; jr += nr) {
                b.pack(pc, kc, jr, nr, panel);
                for (int ir = 0; ir < m; ir += mr) {
                    multiplyTile(block, kc, a, aBlock + ir * kc, panel, 0, tile, Math.min(mr, m - ir), Math.min(nr, n - jr),
                            c, cOff + ir * rsC + jr * csC, rsC, csC, overwrite, relu && last);
                }
            }
        }
    }

    /** Floats {@link #packAllA} writes for an {@code m x k} A in {@code mr}-row panels. */
    static int packedSizeA(int m, int k, int mr) {
        return roundUp(m, mr) * k;
    }

    /**
     * The depth of the blocks k is cut into: equal (but for the last) and at most KC, so that no block is much
     * shallower than the others (k = 576 gives 288 + 288 rather than 512 + 64: each block ends with a pass over C).
     */
    static int depthBlock(int k) {
        return ceilDiv(k, Math.max(1, ceilDiv(k, KC)));
    }

    /** Packs all of an {@code m x k} A: its {@link #depthBlock} blocks one after the other, each as {@link #packA} lays it out. */
    static void packAllA(int m, int k, float[] a, int off, int rs, int cs, float[] packed, int dst, int mr) {
        int kb = depthBlock(k);
        for (int pc = 0; pc < k; pc += kb) packA(m, Math.min(kb, k - pc), a, off + pc * cs, rs, cs, packed, dst + pc * roundUp(m, mr), mr);
    }

    /** The two inner loops over one packed {@code mc x kc} block of A and {@code kc x nc} panel of B. */
    private static void macroKernel(Block block, int mc, int nc, int kc, float[] a, int aOff, float[] b, int bOff,
                                    float[] c, int cOff, int rsC, int csC, boolean overwrite) {
        int mr = block.mr, nr = block.nr;
        float[] tile = Workspace.local().floats(Workspace.Slot.TILE, mr * nr);
        for (int jr = 0; jr < nc; jr += nr) {
            for (int ir = 0; ir < mc; ir += mr) {
                multiplyTile(block, kc, a, aOff + ir * kc, b, bOff + jr * kc, tile, Math.min(mr, mc - ir), Math.min(nr, nc - jr),
                        c, cOff + ir * rsC + jr * csC, rsC, csC, overwrite, false);
            }
        }
    }

    /**
     * Packs the {@code mc x kc} block of A at {@code off} into micro-panels of {@code mr} rows from {@code dst}
     * on: element (i, p) goes to {@code dst + (i / mr) * mr * kc + p * mr + i % mr}. Rows past {@code mc} are 0.
     */
    static void packA(int mc, int kc, float[] a, int off, int rs, int cs, float[] packed, int dst, int mr) {
        for (int i0 = 0; i0 < mc; i0 += mr) {
            int base = dst + i0 * kc, rows = Math.min(mr, mc - i0);
            if (rows == 4 && mr == 4) {
                // The full panels of Block.WIDE, which large products use: the four rows read side by side and the
                // panel written in order, rather than a row at a time with stride mr. Measured at 1024 x 1024
                // (row-major A, Zen 5): 0.34 ms against 0.55 ms, about 2% of that product's time.
                int s0 = off + i0 * rs, s1 = s0 + rs, s2 = s1 + rs, s3 = s2 + rs;
                for (int p = 0, q = base; p < kc; p++, q += 4) {
                    int d = p * cs;
                    packed[q] = a[s0 + d];
                    packed[q + 1] = a[s1 + d];
                    packed[q + 2] = a[s2 + d];
                    packed[q + 3] = a[s3 + d];
                }
                continue;
            }
            if (rows == 8 && mr == 8) {
                int s0 = off + i0 * rs;
                for (int p = 0, q = base; p < kc; p++, q += 8) {
                    int d = s0 + p * cs;
                    packed[q] = a[d];
                    packed[q + 1] = a[d + rs];
                    packed[q + 2] = a[d + 2 * rs];
                    packed[q + 3] = a[d + 3 * rs];
                    packed[q + 4] = a[d + 4 * rs];
                    packed[q + 5] = a[d + 5 * rs];
                    packed[q + 6] = a[d + 6 * rs];
                    packed[q + 7] = a[d + 7 * rs];
                }
                continue;
            }
            for (int r = 0; r < rows; r++) {
                int src = off + (i0 + r) * rs;
                for (int p = 0; p < kc; p++) packed[base + p * mr + r] = a[src + p * cs];
            }
            for (int r = rows; r < mr; r++) {
                for (int p = 0; p < kc; p++) packed[base + p * mr + r] = 0f;
            }
        }
    }

    /**
     * Packs the {@code kc x nc} block of B at {@code off} into micro-panels of {@code nr} columns from
     * {@code dst} on: element (p, j) goes to {@code dst + (j / nr) * nr * kc + p * nr + j % nr}. Columns past
     * {@code nc} are 0.
     */
    static void packB(int kc, int nc, float[] b, int off, int rs, int cs, float[] packed, int dst, int nr) {
        for (int j0 = 0; j0 < nc; j0 += nr) {
            int base = dst + j0 * kc, cols = Math.min(nr, nc - j0);
            if (cs == 1 && cols == nr && (nr == 2 * LANES || nr == 4 * LANES)) {
                packFullPanel(kc, nr, b, off + j0, rs, packed, base);
            } else if (cs == 1) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, off + p * rs + j0, packed, base + p * nr, cols);
                    for (int j = cols; j < nr; j++) packed[base + p * nr + j] = 0f;
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    int src = off + (j0 + j) * cs;
                    for (int p = 0; p < kc; p++) packed[base + p * nr + j] = b[src + p * rs];
                }
                for (int j = cols; j < nr; j++) {
                    for (int p = 0; p < kc; p++) packed[base + p * nr + j] = 0f;
                }
            }
        }
    }

    /**
     * One full micro-panel of row-major B ({@code nr} = 2 or 4 vectors): each row's vectors copied with explicit
     * loads and stores. System.arraycopy of nr floats per row costs a call each: at n = 1024 (8x2 block, 32
     * floats a row) packing B took 0.8-1.4 ms that way against 0.2 ms this way, 5-10% of the product; a loop
     * over the vectors of a row took 0.9 ms and a loop over vector columns 0.4-0.6 ms.
     */
    private static void packFullPanel(int kc, int nr, float[] b, int off, int rs, float[] packed, int dst) {
        // constant strides (2 * LANES, 4 * LANES), not nr: the JIT's loop was half as fast with the variable
        if (nr == 2 * LANES) {
            for (int p = 0; p < kc; p++) {
                int src = off + p * rs, q = dst + p * (2 * LANES);
                FloatVector.fromArray(SPECIES, b, src).intoArray(packed, q);
                FloatVector.fromArray(SPECIES, b, src + LANES).intoArray(packed, q + LANES);
            }
        } else {
            for (int p = 0; p < kc; p++) {
                int src = off + p * rs, q = dst + p * (4 * LANES);
                FloatVector.fromArray(SPECIES, b, src).intoArray(packed, q);
                FloatVector.fromArray(SPECIES, b, src + LANES).intoArray(packed, q + LANES);
                FloatVector.fromArray(SPECIES, b, src + 2 * LANES).intoArray(packed, q + 2 * LANES);
                FloatVector.fromArray(SPECIES, b, src + 3 * LANES).intoArray(packed, q + 3 * LANES);
            }
        }
    }

    /**
     * {@code C (+)= Σ_p A[:, p] ⊗ B[p, :]} for one micro-panel of packed A (at {@code ai}) and one of packed B
     * (at {@code bi}), of which the first {@code rows} rows and {@code cols} columns belong to C. A whole block
     * of unit-stride C (without ReLU) is stored, or added, straight from the accumulators; any other goes
     * through {@code tile} ({@code mr x nr} of {@code block}, row-major) and {@link #writeBack}, which looks at
     * the edges. The direct store saves a round trip through the tile per block: 2-4% at n = 1024 and 2048.
     * Both add the block's sum to C with one rounding, so the bits are the same either way.
     */
    private static void multiplyTile(Block block, int kc, float[] a, int ai, float[] b, int bi, float[] tile, int rows, int cols,
                                     float[] c, int cOff, int rsC, int csC, boolean overwrite, boolean relu) {
        if (rows == block.mr && cols == block.nr && csC == 1 && !relu) {
            microKernel(block, kc, a, ai, b, bi, c, cOff, rsC, overwrite, cols);
        } else {
            microKernel(block, kc, a, ai, b, bi, tile, 0, block.nr, true, cols);
            writeBack(block, tile, rows, cols, c, cOff, rsC, csC, overwrite, relu);
        }
    }

    /**
     * {@code out (+)= Σ_p A[:, p] ⊗ B[p, :]} for one micro-panel of packed A (at {@code ai}) and one of packed
     * B (at {@code bi}), of which the first {@code cols} columns belong to C: an {@code mr x nr} block of
     * {@code block} at {@code off}, rows {@code rs} apart (only its first {@code cols} columns, rounded up to a
     * vector, are written). Every element is the same chain of fused multiply-adds whichever kernel computes it.
     * Each kernel spells out its stores rather than calling a helper with its vectors: a helper C2 leaves
     * uninlined gets its vectors boxed, and a probe of the 8x2 kernel written that way ran 6 times slower.
     */
    static void microKernel(Block block, int kc, float[] a, int ai, float[] b, int bi, float[] out, int off, int rs, boolean overwrite, int cols) {
        if (block == Block.TALL) {
            kernel6x2(kc, a, ai, b, bi, out, off, rs, overwrite);
        } else if (block == Block.EIGHT_BY_TWO) {
            kernel8x2(kc, a, ai, b, bi, out, off, rs, overwrite);
        } else if (cols <= NARROW_COLUMNS) {
            for (int v = 0; v < cols; v += LANES) kernel4x1(kc, a, ai, b, bi + v, out, off + v, rs, overwrite);
        } else {
            kernel4x4(kc, a, ai, b, bi, out, off, rs, overwrite);
        }
    }

    /** One vector column of the {@link Block#WIDE} micro-kernel: 4 rows of the vector at {@code bi} of each panel row. */
    private static void kernel4x1(int kc, float[] a, int ai, float[] b, int bi, float[] out, int off, int rs, boolean overwrite) {
        final int nr = 4 * LANES;   // the panel width of Block.WIDE, which this kernel runs one vector of
        FloatVector c0 = FloatVector.zero(SPECIES), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0; p < kc; p++) {
            int ap = ai + p * 4;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + p * nr);
            c0 = FloatVector.broadcast(SPECIES, a[ap]).fma(b0, c0);
            c1 = FloatVector.broadcast(SPECIES, a[ap + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(SPECIES, a[ap + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(SPECIES, a[ap + 3]).fma(b0, c3);
        }
        if (overwrite) {
            c0.intoArray(out, off);
            c1.intoArray(out, off + rs);
            c2.intoArray(out, off + 2 * rs);
            c3.intoArray(out, off + 3 * rs);
        } else {
            c0.add(FloatVector.fromArray(SPECIES, out, off)).intoArray(out, off);
            c1.add(FloatVector.fromArray(SPECIES, out, off + rs)).intoArray(out, off + rs);
            c2.add(FloatVector.fromArray(SPECIES, out, off + 2 * rs)).intoArray(out, off + 2 * rs);
            c3.add(FloatVector.fromArray(SPECIES, out, off + 3 * rs)).intoArray(out, off + 3 * rs);
        }
    }

    /** The {@link Block#WIDE} micro-kernel: 4 rows of 4 vectors. */
    private static void kernel4x4(int kc, float[] a, int ai, float[] b, int bi, float[] out, int off, int rs, boolean overwrite) {
        final int nr = 4 * LANES;
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * nr, ap = ai + p * 4;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bp + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bp + 3 * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(SPECIES, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(SPECIES, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(SPECIES, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
        }
        if (overwrite) {
            c00.intoArray(out, off);
            c01.intoArray(out, off + LANES);
            c02.intoArray(out, off + 2 * LANES);
            c03.intoArray(out, off + 3 * LANES);
            c10.intoArray(out, off + rs);
            c11.intoArray(out, off + rs + LANES);
            c12.intoArray(out, off + rs + 2 * LANES);
            c13.intoArray(out, off + rs + 3 * LANES);
            c20.intoArray(out, off + 2 * rs);
            c21.intoArray(out, off + 2 * rs + LANES);
            c22.intoArray(out, off + 2 * rs + 2 * LANES);
            c23.intoArray(out, off + 2 * rs + 3 * LANES);
            c30.intoArray(out, off + 3 * rs);
            c31.intoArray(out, off + 3 * rs + LANES);
            c32.intoArray(out, off + 3 * rs + 2 * LANES);
            c33.intoArray(out, off + 3 * rs + 3 * LANES);
        } else {
            c00.add(FloatVector.fromArray(SPECIES, out, off)).intoArray(out, off);
            c01.add(FloatVector.fromArray(SPECIES, out, off + LANES)).intoArray(out, off + LANES);
            c02.add(FloatVector.fromArray(SPECIES, out, off + 2 * LANES)).intoArray(out, off + 2 * LANES);
            c03.add(FloatVector.fromArray(SPECIES, out, off + 3 * LANES)).intoArray(out, off + 3 * LANES);
            c10.add(FloatVector.fromArray(SPECIES, out, off + rs)).intoArray(out, off + rs);
            c11.add(FloatVector.fromArray(SPECIES, out, off + rs + LANES)).intoArray(out, off + rs + LANES);
            c12.add(FloatVector.fromArray(SPECIES, out, off + rs + 2 * LANES)).intoArray(out, off + rs + 2 * LANES);
            c13.add(FloatVector.fromArray(SPECIES, out, off + rs + 3 * LANES)).intoArray(out, off + rs + 3 * LANES);
            c20.add(FloatVector.fromArray(SPECIES, out, off + 2 * rs)).intoArray(out, off + 2 * rs);
            c21.add(FloatVector.fromArray(SPECIES, out, off + 2 * rs + LANES)).intoArray(out, off + 2 * rs + LANES);
            c22.add(FloatVector.fromArray(SPECIES, out, off + 2 * rs + 2 * LANES)).intoArray(out, off + 2 * rs + 2 * LANES);
            c23.add(FloatVector.fromArray(SPECIES, out, off + 2 * rs + 3 * LANES)).intoArray(out, off + 2 * rs + 3 * LANES);
            c30.add(FloatVector.fromArray(SPECIES, out, off + 3 * rs)).intoArray(out, off + 3 * rs);
            c31.add(FloatVector.fromArray(SPECIES, out, off + 3 * rs + LANES)).intoArray(out, off + 3 * rs + LANES);
            c32.add(FloatVector.fromArray(SPECIES, out, off + 3 * rs + 2 * LANES)).intoArray(out, off + 3 * rs + 2 * LANES);
            c33.add(FloatVector.fromArray(SPECIES, out, off + 3 * rs + 3 * LANES)).intoArray(out, off + 3 * rs + 3 * LANES);
        }
    }

    /** The {@link Block#TALL} micro-kernel: 6 rows of 2 vectors. */
    private static void kernel6x2(int kc, float[] a, int ai, float[] b, int bi, float[] out, int off, int rs, boolean overwrite) {
        final int nr = 2 * LANES;
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * nr, ap = ai + p * 6;
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
        if (overwrite) {
            c00.intoArray(out, off);
            c01.intoArray(out, off + LANES);
            c10.intoArray(out, off + rs);
            c11.intoArray(out, off + rs + LANES);
            c20.intoArray(out, off + 2 * rs);
            c21.intoArray(out, off + 2 * rs + LANES);
            c30.intoArray(out, off + 3 * rs);
            c31.intoArray(out, off + 3 * rs + LANES);
            c40.intoArray(out, off + 4 * rs);
            c41.intoArray(out, off + 4 * rs + LANES);
            c50.intoArray(out, off + 5 * rs);
            c51.intoArray(out, off + 5 * rs + LANES);
        } else {
            c00.add(FloatVector.fromArray(SPECIES, out, off)).intoArray(out, off);
            c01.add(FloatVector.fromArray(SPECIES, out, off + LANES)).intoArray(out, off + LANES);
            c10.add(FloatVector.fromArray(SPECIES, out, off + rs)).intoArray(out, off + rs);
            c11.add(FloatVector.fromArray(SPECIES, out, off + rs + LANES)).intoArray(out, off + rs + LANES);
            c20.add(FloatVector.fromArray(SPECIES, out, off + 2 * rs)).intoArray(out, off + 2 * rs);
            c21.add(FloatVector.fromArray(SPECIES, out, off + 2 * rs + LANES)).intoArray(out, off + 2 * rs + LANES);
            c30.add(FloatVector.fromArray(SPECIES, out, off + 3 * rs)).intoArray(out, off + 3 * rs);
            c31.add(FloatVector.fromArray(SPECIES, out, off + 3 * rs + LANES)).intoArray(out, off + 3 * rs + LANES);
            c40.add(FloatVector.fromArray(SPECIES, out, off + 4 * rs)).intoArray(out, off + 4 * rs);
            c41.add(FloatVector.fromArray(SPECIES, out, off + 4 * rs + LANES)).intoArray(out, off + 4 * rs + LANES);
            c50.add(FloatVector.fromArray(SPECIES, out, off + 5 * rs)).intoArray(out, off + 5 * rs);
            c51.add(FloatVector.fromArray(SPECIES, out, off + 5 * rs + LANES)).intoArray(out, off + 5 * rs + LANES);
        }
    }

    /** The {@link Block#EIGHT_BY_TWO} micro-kernel: 8 rows of 2 vectors. */
    private static void kernel8x2(int kc, float[] a, int ai, float[] b, int bi, float[] out, int off, int rs, boolean overwrite) {
        final int nr = 2 * LANES;
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * nr, ap = ai + p * 8;
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
            x = FloatVector.broadcast(SPECIES, a[ap + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SPECIES, a[ap + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        if (overwrite) {
            c00.intoArray(out, off);
            c01.intoArray(out, off + LANES);
            c10.intoArray(out, off + rs);
            c11.intoArray(out, off + rs + LANES);
            c20.intoArray(out, off + 2 * rs);
            c21.intoArray(out, off + 2 * rs + LANES);
            c30.intoArray(out, off + 3 * rs);
            c31.intoArray(out, off + 3 * rs + LANES);
            c40.intoArray(out, off + 4 * rs);
            c41.intoArray(out, off + 4 * rs + LANES);
            c50.intoArray(out, off + 5 * rs);
            c51.intoArray(out, off + 5 * rs + LANES);
            c60.intoArray(out, off + 6 * rs);
            c61.intoArray(out, off + 6 * rs + LANES);
            c70.intoArray(out, off + 7 * rs);
            c71.intoArray(out, off + 7 * rs + LANES);
        } else {
            c00.add(FloatVector.fromArray(SPECIES, out, off)).intoArray(out, off);
            c01.add(FloatVector.fromArray(SPECIES, out, off + LANES)).intoArray(out, off + LANES);
            c10.add(FloatVector.fromArray(SPECIES, out, off + rs)).intoArray(out, off + rs);
            c11.add(FloatVector.fromArray(SPECIES, out, off + rs + LANES)).intoArray(out, off + rs + LANES);
            c20.add(FloatVector.fromArray(SPECIES, out, off + 2 * rs)).intoArray(out, off + 2 * rs);
            c21.add(FloatVector.fromArray(SPECIES, out, off + 2 * rs + LANES)).intoArray(out, off + 2 * rs + LANES);
            c30.add(FloatVector.fromArray(SPECIES, out, off + 3 * rs)).intoArray(out, off + 3 * rs);
            c31.add(FloatVector.fromArray(SPECIES, out, off + 3 * rs + LANES)).intoArray(out, off + 3 * rs + LANES);
            c40.add(FloatVector.fromArray(SPECIES, out, off + 4 * rs)).intoArray(out, off + 4 * rs);
            c41.add(FloatVector.fromArray(SPECIES, out, off + 4 * rs + LANES)).intoArray(out, off + 4 * rs + LANES);
            c50.add(FloatVector.fromArray(SPECIES, out, off + 5 * rs)).intoArray(out, off + 5 * rs);
            c51.add(FloatVector.fromArray(SPECIES, out, off + 5 * rs + LANES)).intoArray(out, off + 5 * rs + LANES);
            c60.add(FloatVector.fromArray(SPECIES, out, off + 6 * rs)).intoArray(out, off + 6 * rs);
            c61.add(FloatVector.fromArray(SPECIES, out, off + 6 * rs + LANES)).intoArray(out, off + 6 * rs + LANES);
            c70.add(FloatVector.fromArray(SPECIES, out, off + 7 * rs)).intoArray(out, off + 7 * rs);
            c71.add(FloatVector.fromArray(SPECIES, out, off + 7 * rs + LANES)).intoArray(out, off + 7 * rs + LANES);
        }
    }

    /**
     * Stores (or adds) the top-left {@code mr x nr} of a row-major tile of {@code block} into C; with
     * {@code relu}, {@code max(·, 0)} of the stored value (the vector and scalar max of the elementwise ReLU,
     * so the bits are those of a separate pass).
     */
    private static void writeBack(Block block, float[] tile, int mr, int nr, float[] c, int off, int rs, int cs, boolean overwrite, boolean relu) {
        int width = block.nr, vectors = cs == 1 ? nr - nr % LANES : 0;
        for (int r = 0; r < mr; r++) {
            int row = off + r * rs, t = r * width;
            for (int j = 0; j < vectors; j += LANES) {
                FloatVector v = FloatVector.fromArray(SPECIES, tile, t + j);
                if (!overwrite) v = v.add(FloatVector.fromArray(SPECIES, c, row + j));
                if (relu) v = v.max(0f);
                v.intoArray(c, row + j);
            }
            // scalar tail (and strided C)
            for (int j = vectors; j < nr; j++) {
                int pos = row + j * cs;
                float v = overwrite ? tile[t + j] : c[pos] + tile[t + j];
                c[pos] = relu ? Math.max(v, 0f) : v;
            }
        }
    }

    private static void zero(int m, int n, float[] c, int off, int rs, int cs) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) c[off + i * rs + j * cs] = 0f;
        }
    }

    private static void relu(int m, int n, float[] c, int off, int rs, int cs) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) c[off + i * rs + j * cs] = Math.max(c[off + i * rs + j * cs], 0f);
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static int roundUp(int a, int multiple) {
        return ceilDiv(a, multiple) * multiple;
    }
}
