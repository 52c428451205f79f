package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/**
 * Average pooling to a fixed output size {@code [N, C, outH, outW]} whatever the input's H and W. Output cell
 * {@code i} of a dim of input size {@code in} averages the cells {@code floor(i·in/out) .. ceil((i+1)·in/out) - 1},
 * PyTorch's windows (they overlap when {@code out} does not divide {@code in}). A rectangle's mean is the mean of
 * its rows' means, so the two dims are pooled one after the other.
 */
public final class AdaptiveAvgPool2d extends Module {

    private final int outH;
    private final int outW;

    public AdaptiveAvgPool2d(int outputSize) {
        this(outputSize, outputSize);
    }

    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 1 || outW < 1) throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be positive, got (" + outH + ", " + outW + ")");
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor input) {
        String expected = "[N, C, H, W] with H, W >= 1";
        requireRank(input, 4, expected);
        if (input.shape(2) < 1 || input.shape(3) < 1) throw inputError(input, expected);
        return adaptiveAvgPool2d(input, outH, outW);
    }

    /** The functional form, {@code F.adaptive_avg_pool2d} of an {@code [N, C, H, W]} input. */
    public static Tensor adaptiveAvgPool2d(Tensor input, int outH, int outW) {
        return pool(pool(input, 2, outH), 3, outW);
    }

    /** Adaptive average pooling along one dim. */
    private static Tensor pool(Tensor x, int dim, int out) {
        int in = x.shape(dim);
        if (in == out) return x;
        if (in % out == 0) {
            // Equal, disjoint windows: split the dim into [out, in/out] and average the second part.
            int[] split = new int[x.rank() + 1];
            for (int d = 0, k = 0; d < x.rank(); d++) {
                if (d == dim) {
                    split[k++] = out;
                    split[k++] = in / out;
                } else {
                    split[k++] = x.shape(d);
                }
            }
            return x.reshape(split).mean(dim + 1);
        }
        Tensor[] cells = new Tensor[out];
        for (int i = 0; i < out; i++) {
            int start = Math.floorDiv(i * in, out), end = -Math.floorDiv(-(i + 1) * in, out);
            cells[i] = x.slice(dim, start, end, 1).mean(dim, true);
        }
        return Tensor.cat(dim, cells);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + Convolution.tuple(outH, outW);
    }
}
