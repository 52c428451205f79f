package io.jgrad.kernels.opencl;

import static org.jocl.CL.*;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.spi.GemmSplit;
import java.util.Map;
import java.util.WeakHashMap;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * Batched strided GEMM on one OpenCL device: {@code C = alpha * A * B + beta * C} for {@code batches} products
 * of {@code M x K} by {@code K x N}, each operand a {@link GemmOperand} (any strides, so transposes cost
 * nothing). Big products run the tiled kernel of {@code gemm.cl} with one {@link GemmParams} set; small ones,
 * where a tile would be mostly empty, a one-element-per-work-item kernel; a single product whose tiles cannot
 * occupy the compute units splits K ({@link GemmSplit}). The programs come from the
 * runtime's cache (one per dtype and parameter set). Launches go to the runtime's queue, or to the queue
 * given (the tuner's, with profiling), and hold the runtime's lock, as {@link ClRuntime#launch} does:
 * kernel arguments are state shared by every user of the cached kernel.
 */
public final class ClGemm {

    /** Products with fewer multiply-adds than this, or a side under {@link #MIN_TILED_SIDE}, take the small kernel. */
    static final long MIN_TILED_WORK = 64L * 64 * 64;
    static final int MIN_TILED_SIDE = 16;
    /** Batches per launch: NVIDIA limits the third NDRange dimension to 65535 groups. */
    static final int MAX_BATCHES_PER_LAUNCH = 65535;
    private static final int SMALL_LOCAL = 8;
    /** The compute units split-K plans for ({@link GemmSplit}); 0: the device's. Tests raise it so that small products split. */
    static volatile int plannedComputeUnits = 0;
    static final String SOURCE = "gemm.cl";

    private final ClRuntime runtime;
    private final cl_command_queue queue;
    private final ClDeviceFacts facts;
    private final GemmParams params;

    /** The tiled and small kernels of one program (one dtype), and split-K's summing pass. */
    private record Kernels(cl_kernel tiled, cl_kernel small, cl_kernel splitSum, GemmParams params) {
    }

    /**
     * One per runtime, made on first use with the tuned (or default) parameters of its device. The value
     * refers to its runtime, so an entry lives as long as the map: fine for the backend's one runtime per JVM.
     */
    private static final Map<ClRuntime, ClGemm> PER_RUNTIME = new WeakHashMap<>();

    /** The GEMM the backend uses on {@code runtime}: parameters from {@link GemmTuner#chosen}. */
    static ClGemm of(ClRuntime runtime) {
        synchronized (PER_RUNTIME) {
            return PER_RUNTIME.computeIfAbsent(runtime, rt -> new ClGemm(rt, GemmTuner.chosen(rt, GemmTuningCache.standard())));
        }
    }

    /** Launches on the runtime's queue. */
    public ClGemm(ClRuntime runtime, GemmParams params) {
        this(runtime, runtime.queue(), params);
    }

    ClGemm(ClRuntime runtime, cl_command_queue queue, GemmParams params) {
        this.runtime = runtime;
        this.queue = queue;
        this.facts = ClDeviceFacts.of(runtime.info());
        this.params = params;
        if (!params.fits(facts.maxWorkGroupSize(), facts.localMemBytes(), 4))
            throw new IllegalArgumentException("gemm: parameters " + params + " do not fit device " + facts.name()
                    + " (max work-group size " + facts.maxWorkGroupSize() + ", local memory " + facts.localMemBytes() + " bytes)");
    }

    public GemmParams params() {
        return params;
    }

    public ClDeviceFacts device() {
        return facts;
    }

    /**
     * BLAS-style entry: row-major matrices with leading dimensions, {@code op(X) = X^T} when {@code transX}, and
     * batches spaced by the strides.
     */
    public void gemm(DType dtype, boolean transA, boolean transB, int m, int n, int k, double alpha,
                     cl_mem a, int offA, int lda, int strideA, cl_mem b, int offB, int ldb, int strideB,
                     double beta, cl_mem c, int offC, int ldc, int strideC, int batches) {
        gemm(dtype, m, n, k, batches, alpha, GemmOperand.rowMajor(a, offA, lda, transA, strideA),
                GemmOperand.rowMajor(b, offB, ldb, transB, strideB), beta, GemmOperand.rowMajor(c, offC, ldc, false, strideC));
    }

    /** {@code C = alpha * A * B + beta * C} for every batch; C is not read when beta is 0. */
    public void gemm(DType dtype, int m, int n, int k, int batches, double alpha, GemmOperand a, GemmOperand b,
                     double beta, GemmOperand c) {
        enqueue(dtype, m, n, k, batches, alpha, a, b, beta, c, null);
    }

    /** As {@link #gemm}, and, when {@code event} is not null and there is one launch, its event (for the tuner's timing). */
    void enqueue(DType dtype, int m, int n, int k, int batches, double alpha, GemmOperand a, GemmOperand b,
                              double beta, GemmOperand c, cl_event event) {
        if (m == 0 || n == 0 || batches == 0) return;
        if (c.colStride() == 1 && c.rowStride() != 1) {
            // The kernel's first NDRange dimension (the one work-items are consecutive in) runs along M; with a
            // row-major C, compute C^T = B^T A^T so that it runs along C's rows, and stores coalesce.
            int t = m;
            m = n;
            n = t;
            GemmOperand at = b.transposed();
            b = a.transposed();
            a = at;
            c = c.transposed();
        }
        Kernels ks = kernels(dtype);
        int units = plannedComputeUnits > 0 ? plannedComputeUnits : runtime.info().computeUnits();
        // The tuner times single launches (event != null): those never split.
        GemmSplit split = event != null ? GemmSplit.none(k) : tiled(m, n, k)
                ? GemmSplit.plan(m, n, k, batches, ks.params().mwg(), ks.params().nwg(), units)
                : GemmSplit.plan(m, n, k, batches, SMALL_LOCAL, SMALL_LOCAL, units);
        synchronized (runtime) {
            if (split.isSplit()) splitK(ks, dtype, m, n, split, alpha, a, b, beta, c);
            else launch(ks, dtype, m, n, k, batches, alpha, a, b, beta, c, event);
        }
    }

    /**
     * A long-K product whose few output tiles would leave most compute units idle ({@link GemmSplit}): the slices'
     * partial products go to a workspace of {@code slices} blocks as one batched GEMM (A and B stepped
     * {@code depth} along K from batch to batch), and {@code gemm_split_sum} adds them in order into C. The blocks
     * are N x M row-major, so that the GEMM's stores run along M, as they do into C.
     */
    private void splitK(Kernels ks, DType dtype, int m, int n, GemmSplit split, double alpha, GemmOperand a, GemmOperand b,
                        double beta, GemmOperand c) {
        int block = Math.multiplyExact(m, n), depth = split.depth(), full = split.fullSlices();
        try (ClStorage workspace = runtime.allocateUninitialized(dtype, Math.multiplyExact(split.slices(), block))) {
            GemmOperand w = new GemmOperand(workspace.buffer(), 0, 1, m, block);
            GemmOperand aSlices = new GemmOperand(a.buffer(), a.offset(), a.rowStride(), a.colStride(), Math.multiplyExact(depth, a.colStride()));
            GemmOperand bSlices = new GemmOperand(b.buffer(), b.offset(), b.rowStride(), b.colStride(), Math.multiplyExact(depth, b.rowStride()));
            launch(ks, dtype, m, n, depth, full, 1.0, aSlices, bSlices, 0.0, w, null);
            if (full < split.slices()) launch(ks, dtype, m, n, split.lastDepth(), 1, 1.0, aSlices.skip(full), bSlices.skip(full), 0.0, w.skip(full), null);
            // C read as its transpose: the sum walks the blocks' N x M order.
            runtime.launch(ks.splitSum(), block, n, m, split.slices(), real(dtype, alpha), real(dtype, beta), workspace.buffer(), c.buffer(),
                    c.offset(), c.colStride(), c.rowStride());
        }
    }

    private static boolean tiled(int m, int n, int k) {
        return (long) m * n * k >= MIN_TILED_WORK && Math.min(m, n) >= MIN_TILED_SIDE;
    }

    private void launch(Kernels ks, DType dtype, int m, int n, int k, int batches, double alpha, GemmOperand a, GemmOperand b,
                        double beta, GemmOperand c, cl_event event) {
        boolean tiled = tiled(m, n, k);
        for (int first = 0; first < batches; first += MAX_BATCHES_PER_LAUNCH) {
            int count = Math.min(MAX_BATCHES_PER_LAUNCH, batches - first);
            cl_kernel kernel = tiled ? ks.tiled() : ks.small();
            GemmOperand af = a.skip(first), bf = b.skip(first), cf = c.skip(first);
            // A by (row, k) strides, B by (k, column) strides, C by (row, column) strides: the kernel's order.
            runtime.setArgs(kernel, m, n, k, real(dtype, alpha), real(dtype, beta),
                    af.buffer(), af.offset(), af.rowStride(), af.colStride(), af.batchStride(),
                    bf.buffer(), bf.offset(), bf.rowStride(), bf.colStride(), bf.batchStride(),
                    cf.buffer(), cf.offset(), cf.rowStride(), cf.colStride(), cf.batchStride());
            long[] global, local;
            if (tiled) {
                GemmParams p = ks.params();
                global = new long[] {ceilDiv(m, p.mwg()) * (long) p.mdimc(), ceilDiv(n, p.nwg()) * (long) p.ndimc(), count};
                local = new long[] {p.mdimc(), p.ndimc(), 1};
            } else {
                global = new long[] {ceilDiv(m, SMALL_LOCAL) * (long) SMALL_LOCAL, ceilDiv(n, SMALL_LOCAL) * (long) SMALL_LOCAL, count};
                local = new long[] {SMALL_LOCAL, SMALL_LOCAL, 1};
            }
            boolean last = first + count >= batches;
            clEnqueueNDRangeKernel(queue, kernel, 3, null, global, local, 0, null, last ? event : null);
            runtime.countLaunch();
        }
    }

    /** alpha or beta as the program's {@code real}. */
    private static Object real(DType dtype, double x) {
        return dtype == DType.FLOAT64 ? (Object) x : (Object) (float) x;
    }

    private Kernels kernels(DType dtype) {
        runtime.requireSupported(dtype, "matmul");
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) throw new IllegalArgumentException("gemm: dtype must be float32 or float64, got " + dtype);
        GemmParams p = params;
        // Doubles take twice the local memory: fall back to the small safe set where the chosen one no longer fits.
        if (dtype == DType.FLOAT64 && !p.fits(facts.maxWorkGroupSize(), facts.localMemBytes(), 8)) p = GemmCandidates.SMALLEST;
        String defines = "-DPRECISION=" + (dtype == DType.FLOAT64 ? 64 : 32) + " " + p.defines();
        return new Kernels(runtime.kernel(SOURCE, "gemm_tiled", defines), runtime.kernel(SOURCE, "gemm_small", defines),
                runtime.kernel(SOURCE, "gemm_split_sum", defines), p);
    }

    private static long ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
