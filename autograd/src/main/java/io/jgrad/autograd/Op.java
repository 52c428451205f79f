package io.jgrad.autograd;

/**
 * Every differentiable operation a {@link Tensor} can record. The gradient of each is one case of the
 * switch in {@link Gradients}; since that switch is exhaustive, adding a constant here without its
 * gradient does not compile.
 */
public enum Op {
    // elementwise, two inputs (broadcasting)
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, WHERE,
    // elementwise, one input
    NEG, ABS, EXP, LOG, SQRT, TANH, SIGMOID, RELU, GELU, LEAKY_RELU, POW_SCALAR, CLAMP,
    // reductions
    SUM, MEAN, AMAX, AMIN,
    // linear algebra and normalisers
    MATMUL, SOFTMAX, LOG_SOFTMAX,
    // convolution and pooling
    CONV2D, MAX_POOL2D, AVG_POOL2D,
    // fused: one node for a composition whose intermediate is never stored
    CONV2D_RELU,
    // indexing
    GATHER, SCATTER_ADD, INDEX_SELECT,
    // views and copies
    RESHAPE, PERMUTE, EXPAND, SLICE, SELECT, CAT, COPY, CAST
}
