package io.jgrad.tensor.spi;

import java.util.Arrays;

/**
 * Every size of one 2-D pooling (NCHW, floor mode), derived once from the input shape and the
 * {@link PoolParams} by {@link #of}, which also checks them; every backend reads its loops from here. Output
 * cell {@code (oh, ow)} looks at the window of input rows {@link #rowStart rowStart(oh)} {@code .. + kernelH - 1}
 * and columns {@link #columnStart columnStart(ow)} {@code .. + kernelW - 1}; the part outside the input is padding.
 */
public record PoolGeometry(int batch, int channels, int height, int width, int outH, int outW,
                           int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {

    /**
     * The geometry of {@code op} (named in errors) over an input of shape {@code in}; throws
     * {@link IllegalArgumentException} naming the op and the shape when the window does not fit.
     */
    public static PoolGeometry of(String op, int[] in, PoolParams p) {
        if (in.length != 4) throw new IllegalArgumentException(op + ": input must be [N, C, H, W], got shape " + str(in));
        if (in[2] == 0 || in[3] == 0) {
            throw new IllegalArgumentException(op + ": input shape " + str(in) + " has an empty plane (H and W must be non-zero)");
        }
        int oh = p.outH(in[2]), ow = p.outW(in[3]);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": input shape " + str(in) + " is too small for " + p + " (output would be " + oh + "x" + ow + ")");
        }
        return new PoolGeometry(in[0], in[1], in[2], in[3], oh, ow, p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW());
    }

    /** {@link #of(String, int[], PoolParams)} for tests and benchmarks of the backends. */
    public static PoolGeometry of(int[] in, PoolParams p) {
        return of("pool2d", in, p);
    }

    /** {@code [batch, channels, outH, outW]} */
    public int[] outputShape() {
        return new int[] {batch, channels, outH, outW};
    }

    /** The first input row of output row {@code oh}'s window (negative in the padding). */
    public int rowStart(int oh) {
        return oh * strideH - padH;
    }

    /** The first input column of output column {@code ow}'s window (negative in the padding). */
    public int columnStart(int ow) {
        return ow * strideW - padW;
    }

    /** The first input row inside output row {@code oh}'s window (its padding rows skipped). */
    public int firstRow(int oh) {
        return Math.max(rowStart(oh), 0);
    }

    /** One past the last input row inside output row {@code oh}'s window. */
    public int endRow(int oh) {
        return Math.min(rowStart(oh) + kernelH, height);
    }

    /** The first input column inside output column {@code ow}'s window. */
    public int firstColumn(int ow) {
        return Math.max(columnStart(ow), 0);
    }

    /** One past the last input column inside output column {@code ow}'s window. */
    public int endColumn(int ow) {
        return Math.min(columnStart(ow) + kernelW, width);
    }

    /** Cells in a window, padding included: the divisor of average pooling ({@code count_include_pad=True}). */
    public int windowSize() {
        return kernelH * kernelW;
    }

    private static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
