package io.jgrad.data;

import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import java.util.Arrays;

/**
 * The batches of one epoch, built one after another on one thread. All randomness (the order, then every
 * transform in example order) comes from one generator, so the batches depend only on the seed and the
 * epoch, never on which thread builds them or how far ahead it runs.
 */
final class EpochBatches {

    private final Dataset dataset;
    private final int[] order;
    private final int batchSize;
    private final int count;
    private final Transform transform;
    private final Generator gen;
    private int next;

    EpochBatches(Dataset dataset, int batchSize, boolean shuffle, boolean dropLast, Transform transform, Generator gen) {
        int n = dataset.size();
        this.dataset = dataset;
        this.order = shuffle ? gen.permutation(n) : identity(n);
        this.batchSize = batchSize;
        this.count = count(n, batchSize, dropLast);
        this.transform = transform;
        this.gen = gen;
    }

    /**
     * Batches in an epoch of {@code n} examples; a last, smaller batch counts unless dropped. In long
     * arithmetic: {@code n + batchSize - 1} overflows an int for batch sizes near {@code Integer.MAX_VALUE}.
     */
    static int count(int n, int batchSize, boolean dropLast) {
        return (int) (dropLast ? n / batchSize : ((long) n + batchSize - 1) / batchSize);
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    int count() {
        return count;
    }

    /** Index of the batch {@link #next()} builds. */
    int position() {
        return next;
    }

    boolean hasNext() {
        return next < count;
    }

    Batch next() {
        int start = (int) ((long) next++ * batchSize); // below order.length: next < count
        int b = Math.min(batchSize, order.length - start);
        float[] inputs = null;
        long[] labels = new long[b];
        int[] shape = null;
        for (int j = 0; j < b; j++) {
            Example ex = dataset.get(order[start + j]);
            NDArray x = transform == null ? ex.input() : transform.apply(ex.input(), gen);
            if (shape == null) {
                shape = x.shape();
                inputs = new float[Math.multiplyExact(b, x.numel())];
            } else if (!Arrays.equals(shape, x.shape())) {
                throw new IllegalStateException("example " + order[start + j] + " has input shape " + Shapes.str(x.shape())
                        + " but example " + order[start] + " in the same batch has " + Shapes.str(shape));
            }
            System.arraycopy(x.toFloatArray(), 0, inputs, j * x.numel(), x.numel());
            labels[j] = ex.label();
        }
        return new Batch(HostArrays.floats(inputs, Shapes.concat(new int[] {b}, shape)), HostArrays.longs(labels, b));
    }
}
