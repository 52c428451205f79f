package io.jgrad.tensor.spi;

/**
 * Geometry of a 2-D convolution (conv1d is run as conv2d with height 1). Output size per spatial dim:
 * {@code (in + 2·pad - dilation·(kernel-1) - 1) / stride + 1}, as in PyTorch.
 */
public record ConvParams(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {

    public ConvParams {
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("conv: stride must be >= 1, got (" + strideH + ", " + strideW + ")");
        if (padH < 0 || padW < 0) throw new IllegalArgumentException("conv: padding must be >= 0, got (" + padH + ", " + padW + ")");
        if (dilationH < 1 || dilationW < 1) throw new IllegalArgumentException("conv: dilation must be >= 1, got (" + dilationH + ", " + dilationW + ")");
        if (groups < 1) throw new IllegalArgumentException("conv: groups must be >= 1, got " + groups);
    }

    /** Same stride, padding and dilation in both spatial dims. */
    public static ConvParams of(int stride, int padding, int dilation, int groups) {
        return new ConvParams(stride, stride, padding, padding, dilation, dilation, groups);
    }

    public int outH(int inH, int kernelH) {
        return (inH + 2 * padH - dilationH * (kernelH - 1) - 1) / strideH + 1;
    }

    public int outW(int inW, int kernelW) {
        return (inW + 2 * padW - dilationW * (kernelW - 1) - 1) / strideW + 1;
    }
}
