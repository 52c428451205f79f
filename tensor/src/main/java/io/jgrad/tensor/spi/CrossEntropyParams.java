package io.jgrad.tensor.spi;

/**
 * How class-index cross-entropy reads its targets: rows whose target is {@code ignoreIndex} count for nothing
 * (loss 0, weight 0, gradient 0), and label smoothing {@code ε} in {@code [0, 1]} mixes the one-hot target with
 * the uniform distribution over the classes. See {@link Backend#crossEntropy}.
 */
public record CrossEntropyParams(int ignoreIndex, double labelSmoothing) {

    public CrossEntropyParams {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("crossEntropy: labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
    }
}
