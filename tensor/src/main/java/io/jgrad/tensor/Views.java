package io.jgrad.tensor;

import java.util.Arrays;

/**
 * The stride arithmetic behind {@link NDArray}'s views and element access: where an index lives in the
 * storage, which strides show the same elements in another shape, and which layouts overlap themselves.
 * Element {@code [i0, i1, ...]} lives at {@code offset + i0*strides[0] + i1*strides[1] + ...}.
 */
final class Views {

    private Views() {
    }

    /** The storage position of {@code index} (negative entries count from the end), or an error naming {@code op}. */
    static int position(String op, int[] shape, int[] strides, int offset, int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(op + ": index " + Arrays.toString(index) + " has " + index.length + " dims, array has shape " + Shapes.str(shape));
        }
        int p = offset;
        for (int d = 0; d < index.length; d++) {
            int i = index[d];
            if (i < 0) i += shape[d];
            if (i < 0 || i >= shape[d]) {
                throw new IllegalArgumentException(op + ": index " + Arrays.toString(index) + " out of bounds for shape " + Shapes.str(shape));
            }
            p += i * strides[d];
        }
        return p;
    }

    /** {@code newShape} with its one -1 (if any) resolved so that it holds the elements of {@code shape}. */
    static int[] inferShape(String op, int[] shape, int[] newShape) {
        int[] out = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dim may be -1 in " + Shapes.str(newShape));
                infer = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException(op + ": negative size in " + Shapes.str(newShape));
            } else {
                known *= out[i];
            }
        }
        int n = Shapes.numel(shape);
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException(op + ": shape " + Shapes.str(newShape) + " is invalid for input of shape " + Shapes.str(shape) + " (" + n + " elements)");
            }
            out[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException(op + ": shape " + Shapes.str(newShape) + " is invalid for input of shape " + Shapes.str(shape) + " (" + n + " elements)");
        }
        return out;
    }

    /** True when the elements are laid out row-major with no gaps (sizes of 1 may have any stride). */
    static boolean isContiguous(int[] shape, int[] strides) {
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            if (strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /**
     * Strides that show the elements of ({@code shape}, {@code strides}) in {@code newShape} without moving
     * them, or null. This is PyTorch's {@code computeStride}: walk both shapes from the right, matching chunks
     * of dims that are contiguous among themselves.
     */
    static int[] viewStrides(int[] shape, int[] strides, int[] newShape) {
        int rank = shape.length;
        int[] newStrides = new int[newShape.length];
        if (Shapes.numel(shape) == 0 || rank == 0 || isContiguous(shape, strides)) return Shapes.contiguousStrides(newShape);
        int viewD = newShape.length - 1;
        long chunkBaseStride = strides[rank - 1];
        long tensorNumel = 1, viewNumel = 1;
        for (int tensorD = rank - 1; tensorD >= 0; tensorD--) {
            tensorNumel *= shape[tensorD];
            if (tensorD == 0 || (shape[tensorD - 1] != 1 && strides[tensorD - 1] != tensorNumel * chunkBaseStride)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    newStrides[viewD] = (int) (viewNumel * chunkBaseStride);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (tensorD > 0) {
                    chunkBaseStride = strides[tensorD - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? newStrides : null;
    }

    /** True when some element is reached through two indices (an expanded dim: stride 0, size above 1). */
    static boolean hasInternalOverlap(int[] shape, int[] strides) {
        for (int d = 0; d < shape.length; d++) if (strides[d] == 0 && shape[d] > 1) return true;
        return false;
    }

    /** True when the elements fill a block of storage without gaps, in some order of the dims. */
    static boolean isDense(NDArray a) {
        int[] shape = a.shape(), strides = a.strides();
        Integer[] order = new Integer[shape.length];
        for (int d = 0; d < order.length; d++) order[d] = d;
        Arrays.sort(order, (x, y) -> Integer.compare(strides[x], strides[y]));
        long expected = 1;
        for (int d : order) {
            if (shape[d] == 1) continue;
            if (strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }
}
