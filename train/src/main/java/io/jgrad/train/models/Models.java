package io.jgrad.train.models;

import io.jgrad.layers.Module;
import io.jgrad.tensor.Shapes;

import java.util.Arrays;
import java.util.List;

/** The built-in models of {@code jgrad train}, by name. */
public final class Models {

    public static final List<String> NAMES = List.of("mlp", "cnn", "lstm");

    private static final int[] IMAGE = {1, 28, 28};

    private Models() {
    }

    /**
     * A freshly initialised model for examples of shape {@code exampleShape} (e.g. {@code [1, 28, 28]}) and
     * {@code classes} classes; throws naming the known models, or the shape a model needs.
     */
    public static Module create(String name, int[] exampleShape, int classes) {
        int features = 1;
        for (int s : exampleShape) features *= s;
        return switch (name) {
            case "mlp" -> new Mlp(features, 128, classes);
            case "cnn" -> {
                requireImage(name, exampleShape, classes);
                yield new MnistCnn();
            }
            case "lstm" -> {
                requireImage(name, exampleShape, classes);
                yield new MnistLstm();
            }
            default -> throw new IllegalArgumentException("unknown model '" + name + "' (expected one of " + String.join(", ", NAMES) + ")");
        };
    }

    private static void requireImage(String name, int[] exampleShape, int classes) {
        if (!Arrays.equals(exampleShape, IMAGE) || classes != 10) {
            throw new IllegalArgumentException("model '" + name + "' needs 28x28 single-channel images in 10 classes, the dataset has examples of shape "
                    + Shapes.str(exampleShape) + " in " + classes + " classes (use --model mlp)");
        }
    }
}
