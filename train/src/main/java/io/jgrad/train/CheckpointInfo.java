package io.jgrad.train;

import java.util.Map;

/**
 * What a checkpoint records besides the tensors: the model's architecture name (e.g. {@code cnn}), the epoch
 * it was taken after, the metrics of that epoch, and options the model needs to be used again (such as the
 * input normalisation). A file saved by PyTorch has none of this: {@link #NONE}.
 */
public record CheckpointInfo(String architecture, int epoch, Map<String, Double> metrics, Map<String, String> options) {

    public static final CheckpointInfo NONE = new CheckpointInfo(null, 0, Map.of(), Map.of());

    public CheckpointInfo {
        metrics = Map.copyOf(metrics);
        options = Map.copyOf(options);
    }
}
