package io.jgrad.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by the facade: sizes, contiguous strides, broadcasting, dim checks. */
public final class Shapes {

    private Shapes() {
    }

    /** {@code [2, 3]} */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** Number of elements; rejects negative sizes and products beyond {@code int}. */
    public static int numel(String op, int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException(op + ": negative size in shape " + str(shape));
            n *= s;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException(op + ": shape " + str(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    public static int numel(int[] shape) {
        return numel("shape", shape);
    }

    /** Row-major strides for {@code shape}. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= Math.max(shape[d], 1);
        }
        return strides;
    }

    /** Maps a possibly negative dim into {@code [0, rank)}, or throws naming the op. */
    /**
     * The permutation that swaps dims {@code dim0} and {@code dim1} (negative counts from the end) of a
     * rank-{@code rank} tensor; empty for a 0-d tensor, whose dims 0 and -1 PyTorch accepts.
     */
    public static int[] transposeOrder(String op, int dim0, int dim1, int rank) {
        int a = dim(op, dim0, rank), b = dim(op, dim1, rank);
        int[] order = new int[rank];
        for (int i = 0; i < rank; i++) order[i] = i;
        if (rank > 0) {
            order[a] = b;
            order[b] = a;
        }
        return order;
    }

    public static int dim(String op, int dim, int rank) {
        int lo = rank == 0 ? -1 : -rank, hi = rank == 0 ? 0 : rank - 1;
        if (dim < lo || dim > hi) {
            throw new IllegalArgumentException(op + ": dim " + dim + " out of range for a tensor of rank " + rank + " (expected " + lo + ".." + hi + ")");
        }
        return dim < 0 ? dim + Math.max(rank, 1) : dim;
    }

    /**
     * Normalised, distinct dims; an empty list means all dims. A 0-d array accepts dim 0 or -1, as PyTorch,
     * and has no dims to reduce: the result is empty.
     */
    public static int[] dims(String op, int[] dims, int rank) {
        if (dims == null || dims.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        boolean[] seen = new boolean[Math.max(rank, 1)];
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int d = dim(op, dims[i], rank);
            if (seen[d]) throw new IllegalArgumentException(op + ": dim " + dims[i] + " appears more than once in " + Arrays.toString(dims));
            seen[d] = true;
            out[i] = d;
        }
        if (rank == 0) return new int[0];
        Arrays.sort(out);
        return out;
    }

    /** The broadcast of two shapes under NumPy/PyTorch rules, or an error naming the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b) + " cannot be broadcast (dim " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** True when {@link #broadcast} of the two shapes succeeds. */
    public static boolean broadcastable(int[] a, int[] b) {
        for (int i = 1; i <= Math.min(a.length, b.length); i++) {
            int da = a[a.length - i], db = b[b.length - i];
            if (da != db && da != 1 && db != 1) return false;
        }
        return true;
    }

    /** {@code shape} with a 1 at every dim in {@code reduced} (the keepdim shape of a reduction). */
    public static int[] keepDims(int[] shape, int[] reduced) {
        int[] out = shape.clone();
        for (int d : reduced) out[d] = 1;
        return out;
    }

    /** {@code shape} without the dims in {@code reduced}. */
    public static int[] dropDims(int[] shape, int[] reduced) {
        int[] out = new int[shape.length - reduced.length];
        int j = 0;
        outer:
        for (int d = 0; d < shape.length; d++) {
            for (int r : reduced) if (r == d) continue outer;
            out[j++] = shape[d];
        }
        return out;
    }

    /** Concatenation of two shapes. */
    public static int[] concat(int[] a, int... b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
