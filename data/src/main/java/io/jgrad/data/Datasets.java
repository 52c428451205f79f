package io.jgrad.data;

import io.jgrad.tensor.Generator;

import java.util.Arrays;

/** Operations on whole datasets. */
public final class Datasets {

    private Datasets() {
    }

    /** A train/validation partition of one dataset. */
    public record Split(Subset train, Subset validation) {
    }

    /**
     * A random partition: {@code round(size * validationFraction)} examples go to validation, the rest to
     * train, chosen by a permutation from {@code new Generator(seed)} (so the same seed gives the same
     * split). Each part keeps dataset order, which an unshuffled loader then follows.
     */
    public static Split split(Dataset dataset, double validationFraction, long seed) {
        if (!(validationFraction >= 0 && validationFraction <= 1)) {
            throw new IllegalArgumentException("split: validationFraction must be in [0, 1], got " + validationFraction);
        }
        int n = dataset.size();
        int validationSize = (int) Math.round(n * validationFraction);
        int[] order = new Generator(seed).permutation(n);
        int[] validation = Arrays.copyOfRange(order, 0, validationSize);
        int[] train = Arrays.copyOfRange(order, validationSize, n);
        Arrays.sort(validation);
        Arrays.sort(train);
        return new Split(new Subset(dataset, train), new Subset(dataset, validation));
    }

    /** The first {@code n} examples (all of them when there are fewer): a quick run on part of a dataset. */
    public static Subset first(Dataset dataset, int n) {
        if (n < 0) throw new IllegalArgumentException("first: n must be >= 0, got " + n);
        int[] indices = new int[Math.min(n, dataset.size())];
        Arrays.setAll(indices, i -> i);
        return new Subset(dataset, indices);
    }

    /** All examples of {@code dataset} in memory, in order: inputs stacked along a new first dim, int64 labels. */
    public static TensorDataset materialise(Dataset dataset) {
        int n = dataset.size();
        if (n == 0) throw new IllegalArgumentException("materialise: the dataset is empty");
        io.jgrad.tensor.NDArray[] inputs = new io.jgrad.tensor.NDArray[n];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            Example e = dataset.get(i);
            inputs[i] = e.input();
            labels[i] = e.label();
        }
        return new TensorDataset(io.jgrad.tensor.NDArray.stack(0, inputs), io.jgrad.tensor.NDArray.of(labels, n));
    }

    /**
     * Checks that every label of {@code dataset} is a class index below {@code numClasses}; {@code name} says
     * which data it is in the message (a label beyond the model's outputs failed deep in the loss, or after
     * training, in the confusion matrix).
     */
    public static void checkLabels(Dataset dataset, int numClasses, String name) {
        long[] labels = dataset instanceof TensorDataset t ? t.labels() : null;
        for (int i = 0; i < dataset.size(); i++) {
            long label = labels != null ? labels[i] : dataset.get(i).label();
            if (label < 0 || label >= numClasses) {
                throw new IllegalArgumentException(name + ": label " + label + " of example " + i + " is not one of the model's " + numClasses
                        + " classes (0.." + (numClasses - 1) + ")");
            }
        }
    }
}
