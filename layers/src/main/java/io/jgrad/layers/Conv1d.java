package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/**
 * 1-D convolution of an {@code [N, C_in, L]} input with {@code weight [C_out, C_in/groups, K]}, giving
 * {@code [N, C_out, L_out]} with {@code L_out = (L + 2·padding - dilation·(K - 1) - 1) / stride + 1}.
 */
public final class Conv1d extends Convolution {

    private final int kernelSize;
    private final int stride;
    private final int padding;
    private final int dilation;

    public Conv1d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0);
    }

    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true);
    }

    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups, boolean bias) {
        super(inChannels, outChannels, new int[] {kernelSize}, groups, bias);
        if (stride < 1 || padding < 0 || dilation < 1) {
            throw new IllegalArgumentException("Conv1d: need stride >= 1, padding >= 0, dilation >= 1, got " + stride + ", " + padding + ", " + dilation);
        }
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
    }

    @Override
    public Tensor forward(Tensor input) {
        int minL = minExtent(kernelSize, padding, dilation);
        String expected = "[N, " + inChannels + ", L] with L >= " + minL;
        requireRank(input, 3, expected);
        requireSize(input, 1, inChannels, expected);
        if (input.shape(2) < minL) throw inputError(input, expected);
        return input.conv1d(weight, bias, stride, padding, dilation, groups);
    }

    @Override
    protected String extraRepr() {
        return convRepr(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {dilation});
    }
}
