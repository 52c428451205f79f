package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.spi.GemmSplit;
import java.util.ArrayList;
import java.util.List;

/**
 * Batched strided GEMM on the CUDA device, {@code C = alpha * A * B + beta * C} over {@code gemm.cu}: each
 * operand is a {@link Operand} (any strides, so transposes cost nothing). Products with a side under
 * {@link #MIN_TILED_SIDE} or little work take the one-thread-per-output kernel; float products take the
 * float4 kernel when A and B are row-major with 16-byte-aligned rows (each on 64 x 128 tiles when M is at most 64,
 * as a convolution's output channels often are), the TF32 tensor-core kernel when
 * {@link io.jgrad.tensor.spi.MatmulPrecision#allowTf32()} is set (as PyTorch's {@code torch.backends.cuda.matmul.allow_tf32}; off by default, since
 * TF32 keeps 10 mantissa bits), and the general tiled kernel otherwise. A single product whose output tiles
 * cannot fill the multiprocessors splits K ({@link GemmSplit}: partial products, then one summing kernel).
 */
final class CudaGemm {

    static final long MIN_TILED_WORK = 64L * 64 * 64;
    static final int MIN_TILED_SIDE = 16;
    /** gridDim.z limit: more batches go in turns. */
    static final int MAX_BATCHES_PER_LAUNCH = 65535;
    private static final int TILE_F32 = 128;
    /**
     * The second kernels for row-major aligned operands, FP32 ({@code sgemm_128x128_v2}: float4 fragment reads,
     * register-staged prefetch) and TF32 ({@code sgemm_tf32_v2}: BK 32, float4 loads staged in registers, B's
     * fragment loads free of bank conflicts), on with {@code -Djgrad.cuda.sgemm=v2} until a GPU run has measured
     * them against the first; tests switch them here.
     */
    static volatile boolean secondVariant = "v2".equals(System.getProperty("jgrad.cuda.sgemm", "v1"));
    /** Float products of at most this many rows take 64 x 128 tiles: a 128-row tile would be half empty. */
    static final int SHORT_TILE_ROWS = 64;
    private static final int TILE_F64 = 64;
    private static final int SMALL_BLOCK = 16;


    /**
     * A matrix operand: the buffer, the first element's offset and the strides of rows, columns and batches (in
     * elements). The buffer is the {@link CudaStorage} itself (or, in tests, a bare pointer), not its address: the
     * launch holds it, so a temporary operand (a contiguous copy, a split's workspace) cannot become unreachable and
     * go back to the allocator before its kernel is enqueued.
     */
    record Operand(Object buffer, long offset, long rowStride, long colStride, long batchStride) {
        /** The {@code Operand} struct of gemm.cu, with the batch offset {@code firstBatch} folded in. */
        long[] struct(long firstBatch) {
            return new long[] {offset + firstBatch * batchStride, rowStride, colStride, batchStride};
        }

        /** The operand from its element (rows, cols) on. */
        Operand shifted(long rows, long cols) {
            return new Operand(buffer, offset + rows * rowStride + cols * colStride, rowStride, colStride, batchStride);
        }

        /** The operand moved on by {@code batches} matrices. */
        Operand skip(int batches) {
            return new Operand(buffer, offset + batches * batchStride, rowStride, colStride, batchStride);
        }

        /** Row-major with rows, start and batch step on 16-byte boundaries (allocations are 256-byte aligned): float4 loads are safe. */
        boolean vectorizable() {
            return colStride == 1 && rowStride % 4 == 0 && offset % 4 == 0 && batchStride % 4 == 0;
        }
    }

    private CudaGemm() {
    }

    /** The kernel {@link #gemm} uses for these sizes and operands. */
    static CudaKernel choose(DType dtype, int m, int n, int k, Operand a, Operand b, boolean tf32, int computeCapability) {
        boolean small = m < MIN_TILED_SIDE || n < MIN_TILED_SIDE || (long) m * n * k < MIN_TILED_WORK;
        if (dtype == DType.FLOAT64) return small ? CudaKernel.DGEMM_SMALL : CudaKernel.DGEMM;
        if (small) return CudaKernel.SGEMM_SMALL;
        // The TF32 body is compiled for compute_80 and up, and the runtime loads compute_90 PTX from Hopper on and
        // compute_75 below it (CudaRuntime.targetFor): an Ampere or Ada GPU would get the empty entry.
        boolean vec = a.vectorizable() && b.vectorizable();
        if (tf32 && computeCapability >= 90) return vec && secondVariant ? CudaKernel.SGEMM_TF32_V2 : CudaKernel.SGEMM_TF32;
        if (m <= SHORT_TILE_ROWS) return vec ? CudaKernel.SGEMM_64_VEC4 : CudaKernel.SGEMM_64;
        if (vec && secondVariant) return CudaKernel.SGEMM_V2;
        return vec ? CudaKernel.SGEMM_VEC4 : CudaKernel.SGEMM;
    }

    static void gemm(CudaRuntime rt, DType dtype, int m, int n, int k, int batches, double alpha, Operand a, Operand b, double beta, Operand c) {
        if (m == 0 || n == 0 || batches == 0) return;
        Device device = new Device(rt.computeCapability(), rt.multiprocessors(), io.jgrad.tensor.spi.MatmulPrecision.allowTf32());
        GemmSplit split = split(dtype, m, n, k, batches, a, b, device);
        if (!split.isSplit()) {
            for (Launch l : launches(dtype, m, n, k, batches, alpha, a, b, beta, c, device, split, null)) l.enqueue(rt);
            return;
        }
        try (CudaStorage workspace = rt.allocateUninitialized(dtype, Math.toIntExact(workspaceElements(m, n, split)))) {
            for (Launch l : launches(dtype, m, n, k, batches, alpha, a, b, beta, c, device, split, workspace)) l.enqueue(rt);
        }
    }

    /** What a product's plan depends on besides its operands: compute capability, SM count, whether TF32 is allowed. */
    record Device(int computeCapability, int multiprocessors, boolean tf32) {
    }

    /** One kernel launch of a product, as {@link #launches} plans it (tests replay plans without a GPU). */
    record Launch(CudaKernel kernel, int[] grid, int[] block, Object... args) {
        void enqueue(CudaRuntime rt) {
            rt.launch(kernel, "gemm", grid, block, args);
        }
    }

    /** How a product splits K on {@code device} ({@link GemmSplit}), judged by the tile of the kernel it would take whole. */
    static GemmSplit split(DType dtype, int m, int n, int k, int batches, Operand a, Operand b, Device device) {
        int[] tile = outputsPerBlock(choose(dtype, m, n, k, a, b, device.tf32(), device.computeCapability()));
        return GemmSplit.plan(m, n, k, batches, tile[0], tile[1], device.multiprocessors());
    }

    /** Elements of the workspace a split product needs: one M x N block per slice. */
    static long workspaceElements(int m, int n, GemmSplit split) {
        return split.isSplit() ? (long) split.slices() * m * n : 0;
    }

    /**
     * The launches of {@code C = alpha * A * B + beta * C}, in order, for the product's {@code split} (what
     * {@link #split} gives it). Whole, one launch per 65535 batches. Split ({@code workspace} then holds
     * {@link #workspaceElements}), the slices' partial products go
     * to the workspace's row-major M x N blocks as one batched GEMM (A and B stepped {@code depth} along K from
     * batch to batch; a shorter last slice is one more launch), and {@code gemm_split_sum} adds them in slice order
     * into C, applying alpha and beta.
     */
    static List<Launch> launches(DType dtype, int m, int n, int k, int batches, double alpha, Operand a, Operand b, double beta, Operand c,
                                 Device device, GemmSplit split, Object workspace) {
        List<Launch> out = new ArrayList<>();
        if (!split.isSplit()) {
            addProduct(out, dtype, m, n, k, batches, alpha, a, b, beta, c, device);
            return out;
        }
        long block = (long) m * n;
        Operand w = new Operand(workspace, 0, n, 1, block);
        int full = split.fullSlices(), depth = split.depth();
        Operand aSlices = new Operand(a.buffer(), a.offset(), a.rowStride(), a.colStride(), depth * a.colStride());
        Operand bSlices = new Operand(b.buffer(), b.offset(), b.rowStride(), b.colStride(), depth * b.rowStride());
        addProduct(out, dtype, m, n, depth, full, 1.0, aSlices, bSlices, 0.0, w, device);
        if (full < split.slices()) addProduct(out, dtype, m, n, split.lastDepth(), 1, 1.0, aSlices.skip(full), bSlices.skip(full), 0.0, w.skip(full), device);
        CudaKernel sum = dtype == DType.FLOAT64 ? CudaKernel.DGEMM_SPLIT_SUM : CudaKernel.SGEMM_SPLIT_SUM;
        out.add(new Launch(sum, new int[] {(int) ((block + 255) / 256), 1, 1}, new int[] {256, 1, 1},
                workspace, c.buffer(), c.struct(0), m, n, split.slices(), scalar(dtype, alpha), scalar(dtype, beta)));
        return out;
    }

    /** The launches of one whole (unsplit) batched product, with the kernel {@link #choose} picks for it. */
    private static void addProduct(List<Launch> out, DType dtype, int m, int n, int k, int batches, double alpha, Operand a, Operand b,
                                   double beta, Operand c, Device device) {
        CudaKernel kernel = choose(dtype, m, n, k, a, b, device.tf32(), device.computeCapability());
        boolean small = kernel == CudaKernel.SGEMM_SMALL || kernel == CudaKernel.DGEMM_SMALL;
        int[] tile = outputsPerBlock(kernel);
        int[] block = small ? new int[] {SMALL_BLOCK, SMALL_BLOCK, 1} : new int[] {256, 1, 1};
        // Tiled kernels: x over column tiles, y over row tiles. The small kernel: x over row blocks (there may be
        // more than gridDim.y's 65535), y over column blocks. gridDim.y is at most 65535 too: a taller grid goes in
        // row chunks (tiled) or column chunks (small), the operands moved on to each chunk's first row or column.
        int rowsPer = small ? m : CudaRuntime.MAX_GRID_YZ * tile[0], colsPer = small ? CudaRuntime.MAX_GRID_YZ * SMALL_BLOCK : n;
        Object al = scalar(dtype, alpha), be = scalar(dtype, beta);
        for (int r0 = 0; r0 < m; r0 += rowsPer) {
            for (int c0 = 0; c0 < n; c0 += colsPer) {
                int mc = Math.min(rowsPer, m - r0), nc = Math.min(colsPer, n - c0);
                Operand ac = a.shifted(r0, 0), bc = b.shifted(0, c0), cc = c.shifted(r0, c0);
                int gx = small ? (mc + SMALL_BLOCK - 1) / SMALL_BLOCK : (nc + tile[1] - 1) / tile[1];
                int gy = small ? (nc + SMALL_BLOCK - 1) / SMALL_BLOCK : (mc + tile[0] - 1) / tile[0];
                for (int first = 0; first < batches; first += MAX_BATCHES_PER_LAUNCH) {
                    int count = Math.min(MAX_BATCHES_PER_LAUNCH, batches - first);
                    out.add(new Launch(kernel, new int[] {gx, gy, count}, block, ac.buffer(), bc.buffer(), cc.buffer(),
                            ac.struct(first), bc.struct(first), cc.struct(first), mc, nc, k, al, be));
                }
            }
        }
    }

    /** Rows x columns of C that one block of {@code kernel} computes. */
    static int[] outputsPerBlock(CudaKernel kernel) {
        return switch (kernel) {
            case SGEMM_SMALL, DGEMM_SMALL -> new int[] {SMALL_BLOCK, SMALL_BLOCK};
            case DGEMM -> new int[] {TILE_F64, TILE_F64};
            case SGEMM_64, SGEMM_64_VEC4 -> new int[] {SHORT_TILE_ROWS, TILE_F32};
            default -> new int[] {TILE_F32, TILE_F32};
        };
    }

    private static Object scalar(DType dtype, double value) {
        return dtype == DType.FLOAT64 ? (Object) value : (Object) (float) value;
    }
}
