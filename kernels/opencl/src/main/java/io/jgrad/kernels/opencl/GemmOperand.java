package io.jgrad.kernels.opencl;

import org.jocl.cl_mem;

/**
 * A matrix, or a batch of equally spaced matrices, in an OpenCL buffer: element (r, c) of matrix b sits at
 * {@code offset + b*batchStride + r*rowStride + c*colStride} (in elements). A row-major matrix with leading
 * dimension ld has strides (ld, 1), a column-major one (1, ld); a transposed view swaps them.
 */
public record GemmOperand(cl_mem buffer, int offset, int rowStride, int colStride, int batchStride) {

    /** The same elements read as the transposed matrix. */
    public GemmOperand transposed() {
        return new GemmOperand(buffer, offset, colStride, rowStride, batchStride);
    }

    /** The operand moved on by {@code batches} matrices. */
    GemmOperand skip(int batches) {
        return new GemmOperand(buffer, offset + batches * batchStride, rowStride, colStride, batchStride);
    }

    /** A BLAS operand: {@code op(X)} of a row-major matrix with leading dimension {@code ld}, transposed when {@code trans}. */
    public static GemmOperand rowMajor(cl_mem buffer, int offset, int ld, boolean trans, int batchStride) {
        GemmOperand x = new GemmOperand(buffer, offset, ld, 1, batchStride);
        return trans ? x.transposed() : x;
    }
}
