package io.jgrad.tensor.spi;

/**
 * Elementwise functions of two arguments. Comparisons produce 1 or 0 in the output's dtype (jgrad has no
 * boolean dtype; a 0/1 mask multiplies straight into gradient formulas).
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM,
    /**
     * The gradient of ReLU, {@code a = g}, {@code b = x}: {@code g·(x > 0 ? 1 : 0)}, i.e. exactly the composed
     * {@code g.mul(x.gt(0))} in one pass: g where x > 0, else {@code g·0} (0, -0 for negative g, NaN for
     * non-finite g; PyTorch's threshold_backward writes +0 there, which compares equal). NaN in x gives
     * {@code g·0}, as {@code NaN > 0} is false.
     */
    RELU_BACKWARD,
    EQ, NE, LT, LE, GT, GE;

    /** True for the ops defined on floating-point arrays only: true division and the ReLU gradient. */
    public boolean isFloatOnly() {
        return this == DIV || this == RELU_BACKWARD;
    }

    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}
