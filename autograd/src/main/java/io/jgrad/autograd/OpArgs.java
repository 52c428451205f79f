package io.jgrad.autograd;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.PoolParams;

/** The non-tensor arguments an op's gradient needs, saved on its {@link Node}. */
final class OpArgs {

    private OpArgs() {
    }

    record Scalar(double value) { }

    record Range(double min, double max) { }

    record Flag(boolean value) { }

    /** Reduced dims (sorted, normalised) and whether they were kept. */
    record Reduction(int[] dims, boolean keepdim) { }

    record Dim(int dim) { }

    /** The input's shape, which the gradient of a reshape or expand restores. */
    record InputShape(int[] shape) { }

    record Order(int[] order) { }

    record Slice(int dim, int start, int end, int step) { }

    record Select(int dim, int index) { }

    record Sizes(int dim, int[] sizes) { }

    record Conv(ConvParams params) { }

    record MaxPool(PoolParams params, NDArray indices) { }

    /** conv2d + ReLU + max pooling as one node: both geometries, the pool's argmax and the (not kept) conv output's shape. */
    record ConvMaxPool(ConvParams conv, PoolParams pool, NDArray indices, int[] convShape) { }

    record AvgPool(PoolParams params) { }

    record Indexed(int dim, NDArray index) { }

    record Condition(NDArray cond) { }

    record Cast(DType from) { }

    record Transfer(Device from) { }

    /**
     * Class-index cross-entropy's target, class weights (null for none) and params, the forward's row statistics,
     * and for a reduced loss the {@code [2]} total whose element 1 divides the gradient (null when per element).
     */
    record CrossEntropy(NDArray target, NDArray weight, CrossEntropyParams params, NDArray rowStats, NDArray total) { }

    /** The attention's mask (null for none), scale and causal flag, and the log-sum-exp of each row of scores. */
    record Attention(NDArray mask, double scale, boolean causal, NDArray logSumExp) { }

    /**
     * Layer normalisation's normalised shape, each row's mean and {@code rstd = 1/√(var + eps)} ({@code [rows]}), and
     * whether the inputs after x include a weight and a bias (in that order).
     */
    record LayerNorm(int[] normalizedShape, NDArray mean, NDArray rstd, boolean hasWeight, boolean hasBias) { }

    /** Values a fused op computed in its forward pass for its backward (a recurrent cell's gate activations). */
    record Saved(NDArray values) { }

    /** A recurrent layer's states (the initial one first) and each step's saved cell values. */
    record Recurrence(NDArray states, NDArray saved) { }
}
