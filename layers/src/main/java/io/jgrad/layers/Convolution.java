package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

import java.util.Arrays;

/**
 * What {@link Conv1d} and {@link Conv2d} share: channel and group bookkeeping, the weight
 * {@code [out, in/groups, k...]} and optional bias {@code [out]} with PyTorch's default initialisation
 * (Kaiming-uniform a = √5, i.e. U(±1/√fanIn), fanIn = in/groups·k...), and PyTorch's printout.
 */
public abstract class Convolution extends Module {

    protected final int inChannels;
    protected final int outChannels;
    protected final int groups;
    public final Tensor weight;
    public final Tensor bias;

    Convolution(int inChannels, int outChannels, int[] kernelSize, int groups, boolean bias) {
        String name = getClass().getSimpleName();
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException(name + ": channel counts must be positive, got in=" + inChannels + ", out=" + outChannels);
        }
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(name + ": groups=" + groups + " must divide in_channels=" + inChannels + " and out_channels=" + outChannels);
        }
        for (int k : kernelSize) {
            if (k < 1) throw new IllegalArgumentException(name + ": kernel size must be positive, got " + Arrays.toString(kernelSize));
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        int[] shape = new int[2 + kernelSize.length];
        shape[0] = outChannels;
        shape[1] = inChannels / groups;
        System.arraycopy(kernelSize, 0, shape, 2, kernelSize.length);
        this.weight = registerParameter("weight", Init.defaultWeight(shape));
        this.bias = bias ? registerParameter("bias", Init.defaultBias(shape)) : null;
    }

    /** The smallest input extent that still gives one output: the dilated kernel minus both paddings. */
    static int minExtent(int kernel, int padding, int dilation) {
        return Math.max(1, dilation * (kernel - 1) + 1 - 2 * padding);
    }

    /** PyTorch's tuple notation: {@code (3, 3)}, or {@code (3,)} for one value. */
    static String tuple(int... values) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) sb.append(i > 0 ? ", " : "").append(values[i]);
        return sb.append(values.length == 1 ? ",)" : ")").toString();
    }

    /** PyTorch's {@code _ConvNd.extra_repr}: defaults (padding 0, dilation 1, groups 1, bias) are left out. */
    final String convRepr(int[] kernel, int[] stride, int[] padding, int[] dilation) {
        StringBuilder s = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(tuple(kernel)).append(", stride=").append(tuple(stride));
        if (Arrays.stream(padding).anyMatch(p -> p != 0)) s.append(", padding=").append(tuple(padding));
        if (Arrays.stream(dilation).anyMatch(d -> d != 1)) s.append(", dilation=").append(tuple(dilation));
        if (groups != 1) s.append(", groups=").append(groups);
        if (bias == null) s.append(", bias=false");
        return s.toString();
    }
}
