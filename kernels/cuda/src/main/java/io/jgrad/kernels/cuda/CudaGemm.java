package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import jcuda.driver.CUdeviceptr;

/**
 * Batched strided GEMM on the CUDA device, {@code C = alpha * A * B + beta * C} over {@code gemm.cu}: each
 * operand is a {@link Operand} (any strides, so transposes cost nothing). Products with a side under
 * {@link #MIN_TILED_SIDE} or little work take the one-thread-per-output kernel; float products take the
 * float4 kernel when A and B are row-major with 16-byte-aligned rows, the TF32 tensor-core kernel when
 * {@link io.jgrad.tensor.spi.MatmulPrecision#allowTf32()} is set (as PyTorch's {@code torch.backends.cuda.matmul.allow_tf32}; off by default, since
 * TF32 keeps 10 mantissa bits), and the general tiled kernel otherwise.
 */
final class CudaGemm {

    static final long MIN_TILED_WORK = 64L * 64 * 64;
    static final int MIN_TILED_SIDE = 16;
    /** gridDim.z limit: more batches go in turns. */
    static final int MAX_BATCHES_PER_LAUNCH = 65535;
    private static final int TILE_F32 = 128;
    private static final int TILE_F64 = 64;
    private static final int SMALL_BLOCK = 16;


    /** A matrix operand: the buffer, the first element's offset and the strides of rows, columns and batches (in elements). */
    record Operand(CUdeviceptr pointer, long offset, long rowStride, long colStride, long batchStride) {
        /** The {@code Operand} struct of gemm.cu, with the batch offset {@code firstBatch} folded in. */
        long[] struct(long firstBatch) {
            return new long[] {offset + firstBatch * batchStride, rowStride, colStride, batchStride};
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
        return a.vectorizable() && b.vectorizable() ? CudaKernel.SGEMM_VEC4 : CudaKernel.SGEMM;
    }

    static void gemm(CudaRuntime rt, DType dtype, int m, int n, int k, int batches, double alpha, Operand a, Operand b, double beta, Operand c) {
        if (m == 0 || n == 0 || batches == 0) return;
        CudaKernel kernel = choose(dtype, m, n, k, a, b, io.jgrad.tensor.spi.MatmulPrecision.allowTf32(), rt.computeCapability());
        boolean small = kernel == CudaKernel.SGEMM_SMALL || kernel == CudaKernel.DGEMM_SMALL;
        int tile = dtype == DType.FLOAT64 ? TILE_F64 : TILE_F32;
        int[] block = small ? new int[] {SMALL_BLOCK, SMALL_BLOCK, 1} : new int[] {256, 1, 1};
        // Tiled kernels: x over column tiles, y over row tiles. The small kernel: x over row blocks (there may be
        // more than gridDim.y's 65535), y over column blocks.
        int gx = small ? (m + SMALL_BLOCK - 1) / SMALL_BLOCK : (n + tile - 1) / tile;
        int gy = small ? (n + SMALL_BLOCK - 1) / SMALL_BLOCK : (m + tile - 1) / tile;
        Object al = dtype == DType.FLOAT64 ? (Object) alpha : (Object) (float) alpha;
        Object be = dtype == DType.FLOAT64 ? (Object) beta : (Object) (float) beta;
        for (int first = 0; first < batches; first += MAX_BATCHES_PER_LAUNCH) {
            int count = Math.min(MAX_BATCHES_PER_LAUNCH, batches - first);
            rt.launch(kernel, "gemm", new int[] {gx, gy, count}, block, a.pointer(), b.pointer(), c.pointer(),
                    a.struct(first), b.struct(first), c.struct(first), m, n, k, al, be);
        }
    }
}
