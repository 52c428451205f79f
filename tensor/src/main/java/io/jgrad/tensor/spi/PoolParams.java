package io.jgrad.tensor.spi;

/**
 * Geometry of a 2-D pooling window (floor mode, as PyTorch's default {@code ceil_mode=False}). Average
 * pooling counts padded cells in the divisor ({@code count_include_pad=True}, PyTorch's default).
 */
public record PoolParams(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {

    public PoolParams {
        if (kernelH < 1 || kernelW < 1) throw new IllegalArgumentException("pool: kernel size must be >= 1, got (" + kernelH + ", " + kernelW + ")");
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("pool: stride must be >= 1, got (" + strideH + ", " + strideW + ")");
        if (padH < 0 || padW < 0) throw new IllegalArgumentException("pool: padding must be >= 0, got (" + padH + ", " + padW + ")");
        if (2 * padH > kernelH || 2 * padW > kernelW)
            throw new IllegalArgumentException("pool: padding (" + padH + ", " + padW + ") must be at most half the kernel size (" + kernelH + ", " + kernelW + ")");
    }

    public static PoolParams of(int kernel, int stride, int padding) {
        return new PoolParams(kernel, kernel, stride, stride, padding, padding);
    }

    public int outH(int inH) {
        return (inH + 2 * padH - kernelH) / strideH + 1;
    }

    public int outW(int inW) {
        return (inW + 2 * padW - kernelW) / strideW + 1;
    }
}
