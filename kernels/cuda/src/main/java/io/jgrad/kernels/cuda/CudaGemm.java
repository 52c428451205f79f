package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.spi.GemmSplit;
import jcuda.driver.CUdeviceptr;

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
     * The second FP32 SIMT kernel for row-major aligned operands ({@code sgemm_128x128_v2}: float4 fragment reads,
     * register-staged prefetch), on with {@code -Djgrad.cuda.sgemm=v2} until a GPU run has measured it against the
     * first; tests switch it here.
     */
    static volatile boolean secondVariant = "v2".equals(System.getProperty("jgrad.cuda.sgemm", "v1"));
    /** Float products of at most this many rows take 64 x 128 tiles: a 128-row tile would be half empty. */
    static final int SHORT_TILE_ROWS = 64;
    private static final int TILE_F64 = 64;
    private static final int SMALL_BLOCK = 16;


    /** A matrix operand: the buffer, the first element's offset and the strides of rows, columns and batches (in elements). */
    record Operand(CUdeviceptr pointer, long offset, long rowStride, long colStride, long batchStride) {
        /** The {@code Operand} struct of gemm.cu, with the batch offset {@code firstBatch} folded in. */
        long[] struct(long firstBatch) {
            return new long[] {offset + firstBatch * batchStride, rowStride, colStride, batchStride};
        }

        /** The operand moved on by {@code batches} matrices. */
        Operand skip(int batches) {
            return new Operand(pointer, offset + batches * batchStride, rowStride, colStride, batchStride);
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
        if (tf32 && computeCapability >= 80) return CudaKernel.SGEMM_TF32;
        boolean vec = a.vectorizable() && b.vectorizable();
        if (m <= SHORT_TILE_ROWS) return vec ? CudaKernel.SGEMM_64_VEC4 : CudaKernel.SGEMM_64;
        if (vec && secondVariant) return CudaKernel.SGEMM_V2;
        return vec ? CudaKernel.SGEMM_VEC4 : CudaKernel.SGEMM;
    }

    static void gemm(CudaRuntime rt, DType dtype, int m, int n, int k, int batches, double alpha, Operand a, Operand b, double beta, Operand c) {
        if (m == 0 || n == 0 || batches == 0) return;
        boolean tf32 = io.jgrad.tensor.spi.MatmulPrecision.allowTf32();
        CudaKernel kernel = choose(dtype, m, n, k, a, b, tf32, rt.computeCapability());
        int[] tile = outputsPerBlock(kernel);
        GemmSplit split = GemmSplit.plan(m, n, k, batches, tile[0], tile[1], rt.multiprocessors());
        if (split.isSplit()) splitK(rt, dtype, m, n, split, tf32, alpha, a, b, beta, c);
        else launch(rt, kernel, dtype, m, n, k, batches, alpha, a, b, beta, c);
    }

    /**
     * A long-K product whose few output tiles would leave most multiprocessors idle ({@link GemmSplit}): the slices'
     * partial products go to a workspace of {@code slices} row-major M x N blocks as one batched GEMM (A and B
     * stepped {@code depth} along K from batch to batch), and {@code gemm_split_sum} adds them in order into C.
     */
    private static void splitK(CudaRuntime rt, DType dtype, int m, int n, GemmSplit split, boolean tf32, double alpha,
                               Operand a, Operand b, double beta, Operand c) {
        long block = (long) m * n;
        try (CudaStorage workspace = rt.allocateUninitialized(dtype, Math.toIntExact(split.slices() * block))) {
            Operand w = new Operand(workspace.pointer(), 0, n, 1, block);
            int full = split.fullSlices(), depth = split.depth();
            Operand aSlices = new Operand(a.pointer(), a.offset(), a.rowStride(), a.colStride(), depth * a.colStride());
            Operand bSlices = new Operand(b.pointer(), b.offset(), b.rowStride(), b.colStride(), depth * b.rowStride());
            launchChosen(rt, dtype, m, n, depth, full, tf32, 1.0, aSlices, bSlices, 0.0, w);
            if (full < split.slices()) {
                launchChosen(rt, dtype, m, n, split.lastDepth(), 1, tf32, 1.0, aSlices.skip(full), bSlices.skip(full), 0.0, w.skip(full));
            }
            CudaKernel sum = dtype == DType.FLOAT64 ? CudaKernel.DGEMM_SPLIT_SUM : CudaKernel.SGEMM_SPLIT_SUM;
            rt.launch(sum, "gemm", block, workspace, c.pointer(), c.struct(0), m, n, split.slices(), scalar(dtype, alpha), scalar(dtype, beta));
        }
    }

    private static void launchChosen(CudaRuntime rt, DType dtype, int m, int n, int k, int batches, boolean tf32, double alpha,
                                     Operand a, Operand b, double beta, Operand c) {
        launch(rt, choose(dtype, m, n, k, a, b, tf32, rt.computeCapability()), dtype, m, n, k, batches, alpha, a, b, beta, c);
    }

    private static void launch(CudaRuntime rt, CudaKernel kernel, DType dtype, int m, int n, int k, int batches, double alpha,
                               Operand a, Operand b, double beta, Operand c) {
        boolean small = kernel == CudaKernel.SGEMM_SMALL || kernel == CudaKernel.DGEMM_SMALL;
        int[] tile = outputsPerBlock(kernel);
        int[] block = small ? new int[] {SMALL_BLOCK, SMALL_BLOCK, 1} : new int[] {256, 1, 1};
        // Tiled kernels: x over column tiles, y over row tiles. The small kernel: x over row blocks (there may be
        // more than gridDim.y's 65535), y over column blocks.
        int gx = small ? (m + SMALL_BLOCK - 1) / SMALL_BLOCK : (n + tile[1] - 1) / tile[1];
        int gy = small ? (n + SMALL_BLOCK - 1) / SMALL_BLOCK : (m + tile[0] - 1) / tile[0];
        Object al = scalar(dtype, alpha), be = scalar(dtype, beta);
        for (int first = 0; first < batches; first += MAX_BATCHES_PER_LAUNCH) {
            int count = Math.min(MAX_BATCHES_PER_LAUNCH, batches - first);
            rt.launch(kernel, "gemm", new int[] {gx, gy, count}, block, a.pointer(), b.pointer(), c.pointer(),
                    a.struct(first), b.struct(first), c.struct(first), m, n, k, al, be);
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
