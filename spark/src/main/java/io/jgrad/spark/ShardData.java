package io.jgrad.spark;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import java.util.Iterator;

/** One partition's examples in two flat arrays, checked against the example shape, and the batches cut from them. */
final class ShardData {

    private final float[] features;
    private final long[] labels;
    private final int[] exampleShape;
    private final int exampleSize;

    private ShardData(float[] features, long[] labels, int[] exampleShape, int exampleSize) {
        this.features = features;
        this.labels = labels;
        this.exampleShape = exampleShape;
        this.exampleSize = exampleSize;
    }

    /** Reads the partition; throws naming the partition and the example whose feature count is wrong. */
    static ShardData read(Iterator<TrainingExample> examples, int partition, int expectedCount, int[] exampleShape, int exampleSize) {
        float[] features = new float[Math.multiplyExact(expectedCount, exampleSize)];
        long[] labels = new long[expectedCount];
        int n = 0;
        while (examples.hasNext()) {
            TrainingExample e = examples.next();
            checkExample(e, partition, n, exampleShape, exampleSize);
            if (n == expectedCount) {
                throw new IllegalStateException("SparkTrainer: partition " + partition + " now holds more than the " + expectedCount
                        + " examples counted before training; the training RDD must be deterministic");
            }
            System.arraycopy(e.features(), 0, features, n * exampleSize, exampleSize);
            labels[n++] = e.label();
        }
        if (n != expectedCount) {
            throw new IllegalStateException("SparkTrainer: partition " + partition + " now holds " + n + " examples, " + expectedCount
                    + " were counted before training; the training RDD must be deterministic");
        }
        return new ShardData(features, labels, exampleShape, exampleSize);
    }

    /** The check every example passes, in the counting pass before training and in every task. */
    static void checkExample(TrainingExample e, int partition, int index, int[] exampleShape, int exampleSize) {
        if (e == null || e.features() == null) {
            throw new IllegalArgumentException("SparkTrainer: example " + index + " of partition " + partition + " has no features");
        }
        if (e.features().length != exampleSize) {
            throw new IllegalArgumentException("SparkTrainer: example " + index + " of partition " + partition + " has " + e.features().length
                    + " features, the model's example shape " + Shapes.str(exampleShape) + " needs " + exampleSize);
        }
        if (e.label() < 0) {
            throw new IllegalArgumentException("SparkTrainer: example " + index + " of partition " + partition + " has a negative label " + e.label());
        }
    }

    /** The inputs {@code [b, ...exampleShape]} of the examples at {@code indices}. */
    NDArray inputs(int[] indices) {
        float[] x = new float[indices.length * exampleSize];
        for (int i = 0; i < indices.length; i++) System.arraycopy(features, indices[i] * exampleSize, x, i * exampleSize, exampleSize);
        int[] shape = new int[exampleShape.length + 1];
        shape[0] = indices.length;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        return NDArray.of(x, shape);
    }

    /** The int64 labels {@code [b]} of the examples at {@code indices}. */
    NDArray labels(int[] indices) {
        long[] y = new long[indices.length];
        for (int i = 0; i < indices.length; i++) y[i] = labels[indices[i]];
        return NDArray.of(y, indices.length);
    }
}
