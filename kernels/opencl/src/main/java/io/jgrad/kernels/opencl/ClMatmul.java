package io.jgrad.kernels.opencl;

import io.jgrad.tensor.NDArray;

import java.util.Arrays;

/**
 * Batched matrix product on the OpenCL device: {@code [..., M, K] x [..., K, N] -> [..., M, N]} over any
 * strides. This version is one work-item per output element (a plain dot product); it is the correct
 * baseline the tuned SGEMM is tested against and replaces.
 */
final class ClMatmul {
    private ClMatmul() {
    }

    /** {@code out = a · b}; shapes already checked by {@code NDArray.matmul}; {@code out} is overwritten. */
    static void matmul(ClRuntime rt, NDArray a, NDArray b, NDArray out) {
        int rank = out.rank();
        int m = out.shape(rank - 2), n = out.shape(rank - 1), k = a.shape(rank - 1);
        int[] batch = Arrays.copyOf(out.shape(), rank - 2);
        int[][] batchLayouts = ClLayout.coalesce("matmul", batch, batchView(a, batch), batchView(b, batch), batchView(out, batch));
        int total = out.numel();
        rt.launch(rt.kernel("matmul.cl", "matmul", ClRuntime.typeDefines(out.dtype())), total,
                ClStorage.of(a), ClStorage.of(b), ClStorage.of(out), batchLayouts[0], batchLayouts[1], batchLayouts[2],
                m, n, k, a.stride(rank - 2), a.stride(rank - 1), b.stride(rank - 2), b.stride(rank - 1),
                out.stride(rank - 2), out.stride(rank - 1), total);
    }

    /** The batch dims of {@code a} (its first rank-2 dims) as a view of their own, locating each matrix's first element. */
    private static NDArray batchView(NDArray a, int[] batch) {
        return NDArray.view(a.storage(), batch, Arrays.copyOf(a.strides(), batch.length), a.offset());
    }
}
