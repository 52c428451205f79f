package io.jgrad.train;

import java.util.Map;

/**
 * What a checkpoint records besides the tensors: the model's architecture name (e.g. {@code cnn}), the epoch
 * it was taken after, the metrics of that epoch, and options the model needs to be used again (such as the
 * input normalisation). A file saved by PyTorch has none of this: {@link #NONE}.
 */
public record CheckpointInfo(String architecture, int epoch, Map<String, Double> metrics, Map<String, String> options) {

    public static final CheckpointInfo NONE = new CheckpointInfo(null, 0, Map.of(), Map.of());

    /**
     * Options {@code jgrad train} records so that {@code eval}, {@code predict} and {@code --resume} see the
     * data as training saw it: the seed (which also chose a CSV's test split and the validation split), the
     * validation fraction, and the number of classes (the model's outputs).
     */
    public static final String SEED = "seed", VALIDATION_SPLIT = "validation_split", NUM_CLASSES = "num_classes";

    public CheckpointInfo {
        metrics = Map.copyOf(metrics);
        options = Map.copyOf(options);
    }

    /** Integer option {@code key}, or null when absent; a value that is not one is an error naming {@code file}. */
    public Long integerOption(String key, java.nio.file.Path file) {
        String v = options.get(key);
        if (v == null) return null;
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint " + file + ": metadata option '" + key + "' is '" + v + "', not an integer");
        }
    }

    /** Number option {@code key}, or null when absent; a value that is not a finite number is an error naming {@code file}. */
    public Double numberOption(String key, java.nio.file.Path file) {
        String v = options.get(key);
        if (v == null) return null;
        try {
            double d = Double.parseDouble(v.strip());
            if (Double.isFinite(d)) return d;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("checkpoint " + file + ": metadata option '" + key + "' is '" + v + "', not a number");
    }

    /** The recorded class count, or {@code fallback}; a count below 1 or beyond {@code max} is an error naming {@code file}. */
    public int numClasses(int fallback, int max, java.nio.file.Path file) {
        Long n = integerOption(NUM_CLASSES, file);
        if (n == null) return fallback;
        if (n < 1 || n > max) {
            throw new IllegalArgumentException("checkpoint " + file + ": metadata option '" + NUM_CLASSES + "' is " + n + ", not a class count in 1.." + max);
        }
        return (int) (long) n;
    }
}
