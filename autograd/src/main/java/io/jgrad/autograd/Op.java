package io.jgrad.autograd;

/**
 * Every differentiable operation a {@link Tensor} can record. The gradient of each is one case of the
 * switch in {@link Gradients}; since that switch is exhaustive, adding a constant here without its
 * gradient does not compile.
 *
 * <p><b>Adding an op:</b> read {@code docs/adding-an-op.md} first. An op composed of existing ones (as
 * {@code sigmoid}, {@code logSoftmax} or {@code mseLoss} could be) is one method, in {@link Tensor} or a layer,
 * and no constant here. A new primitive touches, in order: a constant here, its case in {@link Gradients},
 * the {@code NDArray} method with its argument checks, the {@code Backend} SPI method (or a constant of
 * {@code UnaryOp}/{@code BinaryOp}/{@code ReduceOp}), the reference kernel, the vector and OpenCL kernels
 * (or nothing: the vector backend inherits the reference kernel), then gradcheck and backend-equivalence tests
 * and, where PyTorch has the op, a parity fixture.
 */
public enum Op {
    // elementwise, two inputs (broadcasting)
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, WHERE,
    // elementwise, one input
    NEG, ABS, EXP, LOG, SQRT, TANH, SIGMOID, RELU, GELU, LEAKY_RELU, POW_SCALAR, CLAMP,
    // reductions
    SUM, MEAN, AMAX, AMIN,
    // linear algebra and normalisers
    MATMUL, SOFTMAX, LOG_SOFTMAX, LAYER_NORM,
    // convolution and pooling
    CONV2D, MAX_POOL2D, AVG_POOL2D,
    // fused: one node for a composition whose intermediate is never stored
    CONV2D_RELU, CONV2D_RELU_MAX_POOL2D, LINEAR_RELU, ATTENTION, CROSS_ENTROPY,
    // fused recurrent cells: one node per time step, all gates in one pass forward and backward
    LSTM_CELL, GRU_CELL,
    // recurrent layers: one node per sequence (the cells above at every step; the hidden weight's gradient in one product)
    LSTM_SEQUENCE, GRU_SEQUENCE,
    // indexing
    GATHER, SCATTER_ADD, INDEX_SELECT,
    // views and copies
    RESHAPE, PERMUTE, EXPAND, SLICE, SELECT, CAT, COPY, CAST,
    // between devices (host and GPU memory)
    TO_DEVICE
}
