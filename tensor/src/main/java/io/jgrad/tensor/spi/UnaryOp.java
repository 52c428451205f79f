package io.jgrad.tensor.spi;

/**
 * Elementwise functions of one argument. {@code POW_SCALAR} reads its exponent from the kernel's
 * {@code alpha}; {@code LEAKY_RELU} its negative slope; {@code CLAMP} its bounds from {@code alpha} (min) and
 * {@code beta} (max), where infinities mean "no bound".
 */
public enum UnaryOp {
    NEG, ABS, SIGN, EXP, LOG, SQRT, RSQRT, RECIPROCAL, SQUARE, TANH, SIGMOID, RELU, ERF,
    /** GELU with the exact normal CDF: x·Φ(x). */
    GELU_ERF,
    /** GELU with PyTorch's tanh approximation. */
    GELU_TANH,
    LEAKY_RELU, POW_SCALAR, CLAMP
}
