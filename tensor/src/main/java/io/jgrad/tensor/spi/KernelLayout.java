package io.jgrad.tensor.spi;

import io.jgrad.tensor.NDArray;

import java.util.Arrays;

/**
 * The shape, strides and offset of an array as the by-value struct {@code Layout} of the portable kernels'
 * {@code common.cl} (kernels/opencl resources, compiled as OpenCL C and as CUDA C):
 * {@code {int offset; int rank; int shape[MAX_RANK]; int strides[MAX_RANK];}}, passed to a kernel as an
 * {@code int[]} argument. Kernels map a row-major position {@code i} of the shape to a storage index with
 * {@code layout_at}.
 *
 * <p>Operands walked together share one shape. {@link #coalesce} first drops dims of size 1 and merges
 * neighbouring dims that every operand steps through as one (a contiguous block), so that most launches
 * see rank 1 or 2 and a contiguous operand becomes {@code offset + i}.
 */
public final class KernelLayout {

    /** Must match {@code MAX_RANK} in common.cl. */
    public static final int MAX_RANK = 8;
    /** Ints in the struct. */
    public static final int INTS = 2 + 2 * MAX_RANK;

    private KernelLayout() {
    }

    /** The struct of {@code a} as it is (no merging of dims). */
    public static int[] of(NDArray a) {
        return struct("layout", a.shape(), a.strides(), a.offset());
    }

    /** The struct for an explicit shape, strides and offset. */
    public static int[] struct(String op, int[] shape, int[] strides, int offset) {
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException(op + ": the GPU kernels handle up to " + MAX_RANK + " dims after merging contiguous ones, got shape "
                    + Arrays.toString(shape));
        }
        int[] s = new int[INTS];
        s[0] = offset;
        s[1] = shape.length;
        System.arraycopy(shape, 0, s, 2, shape.length);
        System.arraycopy(strides, 0, s, 2 + MAX_RANK, strides.length);
        return s;
    }

    /**
     * Structs for {@code arrays}, all of shape {@code shape}, over the smallest equivalent shape: size-1 dims
     * dropped and dim pairs merged where every array has {@code stride[d] == stride[d+1] * shape[d+1]}.
     */
    public static int[][] coalesce(String op, int[] shape, NDArray... arrays) {
        int rank = shape.length;
        int[][] strides = new int[arrays.length][];
        for (int k = 0; k < arrays.length; k++) strides[k] = arrays[k].strides();
        int[] outShape = new int[rank];
        int[][] outStrides = new int[arrays.length][rank];
        int r = 0;
        for (int d = 0; d < rank; d++) {
            if (shape[d] == 1) continue;
            boolean merge = r > 0;
            for (int k = 0; k < arrays.length && merge; k++) {
                merge = outStrides[k][r - 1] == strides[k][d] * shape[d];
            }
            if (merge) {
                outShape[r - 1] *= shape[d];
                for (int k = 0; k < arrays.length; k++) outStrides[k][r - 1] = strides[k][d];
            } else {
                outShape[r] = shape[d];
                for (int k = 0; k < arrays.length; k++) outStrides[k][r] = strides[k][d];
                r++;
            }
        }
        int[] finalShape = Arrays.copyOf(outShape, r);
        int[][] structs = new int[arrays.length][];
        for (int k = 0; k < arrays.length; k++) {
            structs[k] = struct(op, finalShape, Arrays.copyOf(outStrides[k], r), arrays[k].offset());
        }
        return structs;
    }

    /** True when the struct walks its storage as {@code offset + i}. */
    public static boolean isDense(int[] struct) {
        int rank = struct[1];
        return rank == 0 || (rank == 1 && struct[2 + MAX_RANK] == 1);
    }

    /**
     * The one stride that steps through the matrices of {@code x} (rank {@code batch.length + 2}) in row-major
     * batch order, or null when its batch dims need more than one: each dim of size above 1 must step by the next
     * such dim's stride times its size. A GPU GEMM takes such an operand as it is; others are copied first.
     */
    public static Integer batchStride(NDArray x, int[] batch) {
        Integer stride = null;
        int span = 0; // the stride the next-outer dim of size above 1 must have
        for (int d = batch.length - 1; d >= 0; d--) {
            if (batch[d] == 1) continue;
            int s = x.stride(d);
            if (stride == null) stride = s;
            else if (s != span) return null;
            span = s * batch[d];
        }
        return stride == null ? 0 : stride;
    }

    /** True when dims {@code dim ..} of {@code x} are one unit-stride run (row-major within them), so they read as one flat index. */
    public static boolean flatFrom(NDArray x, int dim) {
        int expected = 1;
        for (int d = x.rank() - 1; d >= dim; d--) {
            if (x.shape(d) != 1 && x.stride(d) != expected) return false;
            expected *= x.shape(d);
        }
        return true;
    }
}
