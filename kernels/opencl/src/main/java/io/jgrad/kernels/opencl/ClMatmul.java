package io.jgrad.kernels.opencl;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.KernelLayout;
import java.util.Arrays;

/**
 * Batched matrix product on the OpenCL device, {@code [..., M, K] x [..., K, N] -> [..., M, N]}, through
 * {@link ClGemm}. The GEMM takes each matrix by its two strides, so row-major, column-major (transposed views)
 * and other strided matrices go in as they are; the batch dims must step by one stride per operand (any
 * contiguous batch, an expanded one with stride 0, a slice of either). An operand whose batch dims do not (a
 * permuted batch) is copied contiguous first with the backend's copy kernel, and an output of that kind is
 * computed into a contiguous array and copied into place.
 */
final class ClMatmul {
    private ClMatmul() {
    }

    /** {@code out = a · b}; shapes already checked by {@code NDArray.matmul}; {@code out} is overwritten. */
    static void matmul(ClRuntime rt, NDArray a, NDArray b, NDArray out) {
        int rank = out.rank();
        int m = out.shape(rank - 2), n = out.shape(rank - 1), k = a.shape(rank - 1);
        int[] batch = Arrays.copyOf(out.shape(), rank - 2);
        int batches = 1;
        for (int d : batch) batches *= d;
        if (batches == 0 || m == 0 || n == 0) return;
        if (KernelLayout.batchStride(a, batch) == null) a = a.contiguous();
        if (KernelLayout.batchStride(b, batch) == null) b = b.contiguous();
        NDArray target = KernelLayout.batchStride(out, batch) == null ? NDArray.zeros(out.dtype(), out.device(), out.shape()) : out;
        ClGemm.of(rt).gemm(out.dtype(), m, n, k, batches, 1.0, operand(a, batch), operand(b, batch), 0.0, operand(target, batch));
        if (target != out) out.assign(target);
    }

    private static GemmOperand operand(NDArray x, int[] batch) {
        int rank = x.rank();
        return new GemmOperand(ClStorage.of(x).buffer(), x.offset(), x.stride(rank - 2), x.stride(rank - 1), KernelLayout.batchStride(x, batch));
    }
}
