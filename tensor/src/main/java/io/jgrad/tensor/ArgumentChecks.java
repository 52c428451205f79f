package io.jgrad.tensor;

import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.HostStorage;

import java.util.Arrays;

/**
 * The argument checks of {@link NDArray}'s public methods ("check at the facade, assert inside"): each throws
 * {@link IllegalArgumentException} naming the op and the shapes involved, so kernels may assume valid input.
 */
final class ArgumentChecks {

    private ArgumentChecks() {
    }

    static void requireSameDevice(String op, NDArray a, NDArray b) {
        if (!a.device().equals(b.device())) {
            throw new IllegalArgumentException(op + ": arrays are on different devices (" + a.device() + " and " + b.device() + ")");
        }
    }

    static void requireSameDtype(String op, NDArray a, NDArray b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": dtypes differ (" + a.dtype() + " with shape " + Shapes.str(a.shape()) + " and " + b.dtype()
                    + " with shape " + Shapes.str(b.shape()) + "); convert one with to(DType)");
        }
    }

    static void requireFloat(String op, NDArray a) {
        if (!a.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs a floating-point array, got " + a.dtype() + " with shape " + Shapes.str(a.shape()));
        }
    }

    static void requireShape(String op, String what, NDArray a, int[] expected) {
        if (!Arrays.equals(a.shape(), expected)) {
            throw new IllegalArgumentException(op + ": " + what + " has shape " + Shapes.str(a.shape()) + ", expected " + Shapes.str(expected));
        }
    }

    static void requireHost(String op, NDArray a) {
        if (!(a.storage() instanceof HostStorage)) {
            throw new IllegalArgumentException(op + ": array is on " + a.device() + "; element writes need a host array (use to(Device.CPU))");
        }
    }

    static void checkDataLength(String op, int length, int[] shape) {
        int n = Shapes.numel(op, shape);
        if (n != length) {
            throw new IllegalArgumentException(op + ": " + length + " values do not fill shape " + Shapes.str(shape) + " (" + n + " elements)");
        }
    }

    static boolean isInteger(double s) {
        return Double.isFinite(s) && s == Math.rint(s);
    }

    /**
     * Rejects a write into {@code dst} whose source shares some, but not exactly the same, memory: the kernel
     * would read elements it has already overwritten. As torch's {@code assert_no_partial_overlap}, only
     * dense arrays are compared (two blocks of storage); other layouts are let through.
     */
    static void requireNoPartialOverlap(String op, NDArray dst, NDArray src) {
        if (dst.storage() != src.storage() || dst.numel() == 0 || src.numel() == 0 || !Views.isDense(dst) || !Views.isDense(src)) return;
        int end = dst.offset() + dst.numel(), srcEnd = src.offset() + src.numel();
        NDArray a = dst.squeeze(), b = src.squeeze();
        boolean sameElements = dst.offset() == src.offset() && Arrays.equals(a.shape(), b.shape()) && Arrays.equals(a.strides(), b.strides());
        if (!sameElements && dst.offset() < srcEnd && src.offset() < end) {
            throw new IllegalArgumentException(op + ": source of shape " + Shapes.str(src.shape()) + " partly overlaps the written array of shape "
                    + Shapes.str(dst.shape()) + " in memory; pass a copy() of the source");
        }
    }

    /** The checks of gather and scatterAdd ({@code src} null for gather); returns {@code dim} normalised. */
    static int gatherScatterDim(String op, NDArray x, int dim, NDArray index, NDArray src) {
        int rank = x.rank();
        int[] shape = x.shape(), indexShape = index.shape();
        int d = Shapes.dim(op, dim, rank);
        requireSameDevice(op, x, index);
        requireIndices(op, index);
        if (index.rank() != rank) {
            throw new IllegalArgumentException(op + ": index shape " + Shapes.str(indexShape) + " must have the rank of input shape " + Shapes.str(shape));
        }
        for (int k = 0; k < rank; k++) {
            if (k != d && indexShape[k] > shape[k]) {
                throw new IllegalArgumentException(op + ": index shape " + Shapes.str(indexShape) + " exceeds input shape " + Shapes.str(shape) + " in dim " + k);
            }
        }
        if (src != null) {
            requireSameDevice(op, x, src);
            requireSameDtype(op, x, src);
            int[] srcShape = src.shape();
            for (int k = 0; k < rank; k++) {
                if (src.rank() != rank || indexShape[k] > srcShape[k]) {
                    throw new IllegalArgumentException(op + ": index shape " + Shapes.str(indexShape) + " exceeds src shape " + Shapes.str(srcShape));
                }
            }
        }
        requireIndexRange(op, index, x, d);
        return d;
    }

    /** The checks of indexSelect; returns {@code dim} normalised. */
    static int indexSelectDim(NDArray x, int dim, NDArray index) {
        int d = Shapes.dim("indexSelect", dim, x.rank());
        requireSameDevice("indexSelect", x, index);
        requireIndices("indexSelect", index);
        if (index.rank() > 1) throw new IllegalArgumentException("indexSelect: index must be 1-D, got shape " + Shapes.str(index.shape()));
        if (x.rank() == 0 && index.numel() != 1) {
            throw new IllegalArgumentException("indexSelect: a 0-d input needs an index of one element, got shape " + Shapes.str(index.shape()));
        }
        requireIndexRange("indexSelect", index, x, d);
        return d;
    }

    /** The checks of indexAdd; returns {@code dim} normalised. */
    static int indexAddDim(NDArray x, int dim, NDArray index, NDArray src) {
        int d = Shapes.dim("indexAdd", dim, x.rank());
        requireSameDevice("indexAdd", x, index);
        requireSameDevice("indexAdd", x, src);
        requireSameDtype("indexAdd", x, src);
        requireIndices("indexAdd", index);
        if (index.rank() != 1) throw new IllegalArgumentException("indexAdd: index must be 1-D, got shape " + Shapes.str(index.shape()));
        if (x.rank() == 0 && index.numel() != 1) {
            throw new IllegalArgumentException("indexAdd: a 0-d input needs an index of one element, got shape " + Shapes.str(index.shape()));
        }
        int[] expected = x.shape();
        if (x.rank() > 0) expected[d] = index.numel();
        if (!Arrays.equals(src.shape(), expected)) {
            throw new IllegalArgumentException("indexAdd: src shape " + Shapes.str(src.shape()) + " does not match " + Shapes.str(expected)
                    + " (input " + Shapes.str(x.shape()) + " with dim " + dim + " sized by index " + Shapes.str(index.shape()) + ")");
        }
        requireIndexRange("indexAdd", index, x, d);
        return d;
    }

    /** The checks of maxPool2dBackward, whose output gradient {@code gradOut} has the shape of {@code indices}. */
    static void checkMaxPool2dBackward(NDArray gradOut, NDArray indices, int[] inputShape) {
        int[] shape = gradOut.shape();
        requireSameDevice("maxPool2dBackward", gradOut, indices);
        if (indices.dtype() != DType.INT64) throw new IllegalArgumentException("maxPool2dBackward: indices must be int64, got " + indices.dtype());
        if (!Arrays.equals(indices.shape(), shape)) {
            throw new IllegalArgumentException("maxPool2dBackward: grad_output shape " + Shapes.str(shape) + " differs from indices shape " + Shapes.str(indices.shape()));
        }
        if (inputShape.length != 4 || inputShape[0] != shape[0] || inputShape[1] != shape[1]) {
            throw new IllegalArgumentException("maxPool2dBackward: input shape " + Shapes.str(inputShape) + " does not match grad_output shape " + Shapes.str(shape));
        }
    }

    static void requireIndices(String op, NDArray index) {
        if (index.dtype() != DType.INT64) throw new IllegalArgumentException(op + ": index must be int64, got " + index.dtype());
    }

    /**
     * Every value of {@code index} addresses dim {@code d} of {@code x} (a 0-d x counts as size 1); the error names
     * the op, the value, the dim and both shapes. Index values are read on the host only for host arrays;
     * device kernels check their own bounds.
     */
    static void requireIndexRange(String op, NDArray index, NDArray x, int d) {
        if (!(index.storage() instanceof HostStorage)) return;
        int size = x.rank() == 0 ? 1 : x.shape(d);
        for (long v : index.toLongArray()) {
            if (v < 0 || v >= size) {
                throw new IllegalArgumentException(op + ": index " + v + " is out of range for dim " + d + " of size " + size + " (input shape "
                        + Shapes.str(x.shape()) + ", index shape " + Shapes.str(index.shape()) + ")");
            }
        }
    }

    /** The name errors give a binary op: its NDArray method's name ({@code MAXIMUM}: maximum, {@code RELU_BACKWARD}: reluBackward). */
    static String opName(BinaryOp op) {
        String[] words = op.name().toLowerCase(java.util.Locale.ROOT).split("_");
        StringBuilder name = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) name.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        return name.toString();
    }
}
