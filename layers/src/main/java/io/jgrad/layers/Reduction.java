package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

import java.util.Locale;

/** How a loss turns per-element losses into its result, PyTorch's {@code reduction} argument. */
public enum Reduction {
    /** The per-element losses, in the input's shape (without the class dim for classification losses). */
    NONE,
    /** Their mean (a weighted mean for the class-weighted losses). */
    MEAN,
    /** Their sum. */
    SUM;

    /** PyTorch's name: {@code "none"}, {@code "mean"} or {@code "sum"}. */
    public static Reduction of(String name) {
        for (Reduction r : values()) {
            if (r.pytorchName().equals(name)) return r;
        }
        throw new IllegalArgumentException("reduction must be 'none', 'mean' or 'sum', got '" + name + "'");
    }

    public String pytorchName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reduces {@code perElement}. */
    public Tensor apply(Tensor perElement) {
        return switch (this) {
            case NONE -> perElement;
            case MEAN -> perElement.mean();
            case SUM -> perElement.sum();
        };
    }
}
