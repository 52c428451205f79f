package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.PoolGeometry;

/**
 * Max and average pooling (NCHW, PyTorch's {@code max_pool2d} and {@code avg_pool2d} in floor mode) and
 * their gradients. Output cell {@code (oh, ow)} looks at the window of input rows
 * {@code oh*strideH - padH .. + kernelH - 1} and columns {@code ow*strideW - padW .. + kernelW - 1}; the
 * part of the window outside the input is padding.
 *
 * <p>The gradients sum, per input plane, into a {@code double[]} of {@code H*W} accumulators and write the
 * plane once at the end: that zeroes the cells no window reaches and rounds float32 only once.
 */
final class ReferencePooling {
    private ReferencePooling() {
    }

    /**
     * The maximum of each window and its flat position {@code h*W + w} in the input plane. This follows
     * PyTorch's CPU kernel exactly: start from -infinity with the index of the window's first in-range
     * cell, and take a cell when {@code value > max || isNaN(value)}. So padding never wins, the first of
     * equal maxima wins (rows outer, columns inner), a window of -infinity reports its first in-range cell,
     * and a NaN always becomes the maximum (the last NaN in scan order, if there are several).
     */
    static void maxForward(NDArray input, PoolGeometry p, NDArray out, NDArray indices) {
        int width = p.width();
        HostStorage is = host(input), os = host(out), xs = host(indices);
        Layout il = Layout.of(input), ol = Layout.of(out), xl = Layout.of(indices);

        forEachPlane(p.batch(), p.channels(), (n, c) -> {
            for (int oh = 0; oh < p.outH(); oh++) {
                for (int ow = 0; ow < p.outW(); ow++) {
                    Window win = Window.of(oh, ow, p);
                    long maxIndex = (long) win.h0 * width + win.w0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int h = win.h0; h < win.h1; h++) {
                        for (int w = win.w0; w < win.w1; w++) {
                            double v = is.get(il.at(n, c, h, w));
                            if (v > max || Double.isNaN(v)) {
                                max = v;
                                maxIndex = (long) h * width + w;
                            }
                        }
                    }
                    os.set(ol.at(n, c, oh, ow), max);
                    xs.setLong(xl.at(n, c, oh, ow), maxIndex);
                }
            }
        });
    }

    /** {@code gradInput[n, c, indices[n, c, oh, ow]] += gradOut[n, c, oh, ow]}; overlapping windows that chose the same cell add up. */
    static void maxBackward(NDArray gradOut, NDArray indices, NDArray gradInput) {
        int[] outShape = gradOut.shape(), inShape = gradInput.shape();
        int width = inShape[3];
        HostStorage gs = host(gradOut), xs = host(indices), gis = host(gradInput);
        Layout gl = Layout.of(gradOut), xl = Layout.of(indices), gil = Layout.of(gradInput);

        forEachPlane(outShape[0], outShape[1], (n, c) -> {
            double[] acc = new double[inShape[2] * width];
            for (int oh = 0; oh < outShape[2]; oh++) {
                for (int ow = 0; ow < outShape[3]; ow++) {
                    int flat = (int) xs.getLong(xl.at(n, c, oh, ow));
                    acc[flat] += gs.get(gl.at(n, c, oh, ow));
                }
            }
            writePlane(acc, gis, gil, n, c, width);
        });
    }

    /**
     * The sum of each window's in-range cells divided by {@code kernelH*kernelW}: padded cells count as
     * zeros in the divisor ({@code count_include_pad=True}). In floor mode no window reaches past the
     * padding, so PyTorch's divisor (the window clipped to the padded input) is always the full kernel.
     */
    static void avgForward(NDArray input, PoolGeometry p, NDArray out) {
        double divisor = p.windowSize();
        HostStorage is = host(input), os = host(out);
        Layout il = Layout.of(input), ol = Layout.of(out);

        forEachPlane(p.batch(), p.channels(), (n, c) -> {
            for (int oh = 0; oh < p.outH(); oh++) {
                for (int ow = 0; ow < p.outW(); ow++) {
                    Window win = Window.of(oh, ow, p);
                    double sum = 0.0;
                    for (int h = win.h0; h < win.h1; h++) {
                        for (int w = win.w0; w < win.w1; w++) sum += is.get(il.at(n, c, h, w));
                    }
                    os.set(ol.at(n, c, oh, ow), sum / divisor);
                }
            }
        });
    }

    /** Every in-range cell of window {@code (oh, ow)} receives {@code gradOut[n, c, oh, ow] / (kernelH*kernelW)}. */
    static void avgBackward(NDArray gradOut, PoolGeometry p, NDArray gradInput) {
        int height = p.height(), width = p.width();
        double divisor = p.windowSize();
        HostStorage gs = host(gradOut), gis = host(gradInput);
        Layout gl = Layout.of(gradOut), gil = Layout.of(gradInput);

        forEachPlane(p.batch(), p.channels(), (n, c) -> {
            double[] acc = new double[height * width];
            for (int oh = 0; oh < p.outH(); oh++) {
                for (int ow = 0; ow < p.outW(); ow++) {
                    Window win = Window.of(oh, ow, p);
                    double share = gs.get(gl.at(n, c, oh, ow)) / divisor;
                    for (int h = win.h0; h < win.h1; h++) {
                        for (int w = win.w0; w < win.w1; w++) acc[h * width + w] += share;
                    }
                }
            }
            writePlane(acc, gis, gil, n, c, width);
        });
    }

    /** The in-range part of a pooling window: rows {@code h0 <= h < h1}, columns {@code w0 <= w < w1}. */
    private record Window(int h0, int h1, int w0, int w1) {
        static Window of(int oh, int ow, PoolGeometry p) {
            return new Window(p.firstRow(oh), p.endRow(oh), p.firstColumn(ow), p.endColumn(ow));
        }
    }

    private interface PlaneBody {
        void run(int n, int c);
    }

    /** Runs {@code body} for every {@code (n, c)} plane of an NCHW array. */
    private static void forEachPlane(int batch, int channels, PlaneBody body) {
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) body.run(n, c);
        }
    }

    /** Writes a row-major {@code H*W} plane of accumulators to plane {@code (n, c)} of {@code dst}. */
    private static void writePlane(double[] acc, HostStorage dst, Layout dl, int n, int c, int width) {
        for (int k = 0; k < acc.length; k++) dst.set(dl.at(n, c, k / width, k % width), acc[k]);
    }

    private static HostStorage host(NDArray a) {
        return ReferenceBackend.host(a);
    }
}
