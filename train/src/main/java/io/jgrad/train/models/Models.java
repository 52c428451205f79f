package io.jgrad.train.models;

import io.jgrad.layers.Module;

import java.util.List;

/** The built-in models of {@code jgrad train}, by name. */
public final class Models {

    public static final List<String> NAMES = List.of("mlp", "cnn", "lstm");

    private Models() {
    }

    /** A freshly initialised model; throws naming the known models for an unknown name. */
    public static Module create(String name) {
        return switch (name) {
            case "mlp" -> new MnistMlp();
            case "cnn" -> new MnistCnn();
            case "lstm" -> new MnistLstm();
            default -> throw new IllegalArgumentException("unknown model '" + name + "' (expected one of " + String.join(", ", NAMES) + ")");
        };
    }
}
