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

    /** A layout over some storage: what a view method computes, before NDArray puts it over its storage. */
    record Strided(int[] shape, int[] strides, int offset) {
    }

    /** Dims reordered: result dim {@code i} is dim {@code order[i]}. */
    static Strided permute(int[] shape, int[] strides, int offset, int[] order) {
        int rank = shape.length;
        if (order.length != rank) {
            throw new IllegalArgumentException("permute: order " + Arrays.toString(order) + " has " + order.length + " dims, array has shape " + Shapes.str(shape));
        }
        int[] dims = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int d = Shapes.dim("permute", order[i], rank);
            if (seen[d]) throw new IllegalArgumentException("permute: dim " + order[i] + " repeated in " + Arrays.toString(order));
            seen[d] = true;
            dims[i] = d;
        }
        int[] s = new int[rank], st = new int[rank];
        for (int i = 0; i < dims.length; i++) {
            s[i] = shape[dims[i]];
            st[i] = strides[dims[i]];
        }
        return new Strided(s, st, offset);
    }

    /** Elements {@code start, start+step, ...} below {@code end} along dim {@code d} (already normalised), bounds clamped as in Python. */
    static Strided slice(int[] shape, int[] strides, int offset, int d, int start, int end, int step) {
        int n = shape[d];
        int s = clampIndex(start, n), e = clampIndex(end, n);
        int len = e > s ? (e - s + step - 1) / step : 0;
        int[] sh = shape.clone(), st = strides.clone();
        sh[d] = len;
        st[d] = strides[d] * step;
        return new Strided(sh, st, offset + (len > 0 ? s * strides[d] : 0));
    }

    private static int clampIndex(int i, int n) {
        if (i < 0) i += n;
        return Math.max(0, Math.min(i, n));
    }

    /** The sub-array at {@code index} along {@code dim}, with that dim removed; errors name {@code select}. */
    static Strided select(int[] shape, int[] strides, int offset, int d, int dim, int index) {
        int rank = shape.length;
        int i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d]) {
            throw new IllegalArgumentException("select: index " + index + " out of range for dim " + dim + " of shape " + Shapes.str(shape));
        }
        int[] sh = new int[rank - 1], st = new int[rank - 1];
        for (int k = 0, j = 0; k < rank; k++) {
            if (k == d) continue;
            sh[j] = shape[k];
            st[j++] = strides[k];
        }
        return new Strided(sh, st, offset + i * strides[d]);
    }

    /** The layout repeated (stride 0) to {@code newShape} under broadcasting rules; -1 keeps a size. */
    static Strided expand(int[] shape, int[] strides, int offset, int[] newShape) {
        int rank = shape.length;
        if (newShape.length < rank) {
            throw new IllegalArgumentException("expand: cannot expand shape " + Shapes.str(shape) + " to fewer dims " + Shapes.str(newShape));
        }
        int lead = newShape.length - rank;
        int[] sh = new int[newShape.length], st = new int[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            int target = newShape[i];
            if (i < lead) {
                if (target < 0) throw new IllegalArgumentException("expand: size " + target + " not allowed for a new leading dim in " + Shapes.str(newShape));
                sh[i] = target;
                st[i] = 0;
                continue;
            }
            int own = shape[i - lead];
            if (target == -1) target = own;
            if (own == target) {
                sh[i] = own;
                st[i] = strides[i - lead];
            } else if (own == 1 && target >= 0) {
                sh[i] = target;
                st[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: shape " + Shapes.str(shape) + " cannot be expanded to " + Shapes.str(newShape)
                        + " (dim " + i + ": " + own + " vs " + target + ")");
            }
        }
        return new Strided(sh, st, offset);
    }

    /** The layout without its size-1 dims. */
    static Strided squeeze(int[] shape, int[] strides, int offset) {
        int rank = shape.length;
        int n = 0;
        for (int s : shape) if (s != 1) n++;
        int[] sh = new int[n], st = new int[n];
        for (int d = 0, j = 0; d < rank; d++) {
            if (shape[d] == 1) continue;
            sh[j] = shape[d];
            st[j++] = strides[d];
        }
        return new Strided(sh, st, offset);
    }

    /** The layout with a size-1 dim inserted at {@code dim} (in {@code [-rank-1, rank]}). */
    static Strided unsqueeze(int[] shape, int[] strides, int offset, int dim) {
        int rank = shape.length;
        int d = Shapes.dim("unsqueeze", dim, rank + 1);
        int[] sh = new int[rank + 1], st = new int[rank + 1];
        for (int k = 0, j = 0; k < sh.length; k++) {
            if (k == d) {
                sh[k] = 1;
                st[k] = d < rank ? strides[d] * shape[d] : 1;
            } else {
                sh[k] = shape[j];
                st[k] = strides[j++];
            }
        }
        return new Strided(sh, st, offset);
    }
}
