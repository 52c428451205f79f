package io.jgrad.tensor;

/**
 * Element types. {@code FLOAT32} is the working type of models; {@code FLOAT64} exists for gradient
 * checking and for teaching, where rounding should not hide the arithmetic; {@code INT64} holds indices and
 * class labels.
 */
public enum DType {
    FLOAT32(4, "float32"),
    FLOAT64(8, "float64"),
    INT64(8, "int64");

    private final int byteSize;
    private final String displayName;

    DType(int byteSize, String displayName) {
        this.byteSize = byteSize;
        this.displayName = displayName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this != INT64;
    }

    @Override
    public String toString() {
        return displayName;
    }
}
