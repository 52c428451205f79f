package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.PoolParams;

/**
 * 2-D convolution (cross-correlation, as every framework computes it) of an {@code [N, C_in, H, W]} input with
 * {@code weight [C_out, C_in/groups, kH, kW]}, giving {@code [N, C_out, H_out, W_out]} with
 * {@code H_out = (H + 2·padding - dilation·(kH - 1) - 1) / stride + 1}.
 */
public final class Conv2d extends Convolution {

    private final int kernelH;
    private final int kernelW;
    private final ConvParams params;

    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups, boolean bias) {
        this(inChannels, outChannels, kernelSize, kernelSize, new ConvParams(stride, stride, padding, padding, dilation, dilation, groups), bias);
    }

    /** A rectangular kernel with per-dim stride, padding and dilation. */
    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, ConvParams params, boolean bias) {
        super(inChannels, outChannels, new int[] {kernelH, kernelW}, params.groups(), bias);
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.params = params;
    }

    @Override
    public Tensor forward(Tensor input) {
        requireInput(input);
        return input.conv2d(weight, bias, params);
    }

    /**
     * {@code forward(input).relu()} with the ReLU fused into the convolution ({@link Tensor#conv2dRelu}): the
     * same values and gradients, one output array instead of two. A model calls it where it would follow this
     * layer by a ReLU; the parameters, and so the state_dict, are those of the layer alone.
     */
    public Tensor forwardRelu(Tensor input) {
        requireInput(input);
        return input.conv2dRelu(weight, bias, params);
    }

    /**
     * {@code forwardRelu(input).maxPool2d(pool)} as one node ({@link Tensor#conv2dReluMaxPool2d}): the same values
     * and gradients, without keeping the full-size activations for the backward pass or running the ReLU's
     * backward over them.
     */
    public Tensor forwardReluMaxPool(Tensor input, PoolParams pool) {
        requireInput(input);
        return input.conv2dReluMaxPool2d(weight, bias, params, pool);
    }

    private void requireInput(Tensor input) {
        int minH = minExtent(kernelH, params.padH(), params.dilationH()), minW = minExtent(kernelW, params.padW(), params.dilationW());
        String expected = "[N, " + inChannels + ", H, W] with H >= " + minH + " and W >= " + minW;
        requireRank(input, 4, expected);
        requireSize(input, 1, inChannels, expected);
        if (input.shape(2) < minH || input.shape(3) < minW) throw inputError(input, expected);
    }

    @Override
    protected String extraRepr() {
        ConvParams p = params;
        return convRepr(new int[] {kernelH, kernelW}, new int[] {p.strideH(), p.strideW()}, new int[] {p.padH(), p.padW()},
                new int[] {p.dilationH(), p.dilationW()});
    }
}
