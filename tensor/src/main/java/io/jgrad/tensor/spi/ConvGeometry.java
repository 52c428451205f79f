package io.jgrad.tensor.spi;

import java.util.Arrays;

/**
 * Every size of one 2-D convolution (NCHW), derived once from the input and weight shapes and the
 * {@link ConvParams} by {@link #of}, which also checks them; every backend reads its loops from here. With
 * {@code cg = C/groups} input and {@code og = O/groups} output channels per group:
 *
 * <pre>
 * input  [batch, groups·cg, height, width]
 * weight [groups·og, cg, kH, kW]
 * output [batch, groups·og, outH, outW],   outH = (height + 2·padH - dilationH·(kH-1) - 1) / strideH + 1 (likewise outW)
 * </pre>
 *
 * Output cell {@code (oh, ow)} reads input row {@link #inputRow} {@code = oh·strideH - padH + kh·dilationH}
 * through tap {@code kh} (likewise for columns). The canonical constructor does not check: it is for geometries derived from a
 * checked one, such as {@link #transposed}.
 */
public record ConvGeometry(int batch, int groups, int cg, int height, int width, int og, int kH, int kW, int outH, int outW,
                           int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {

    /**
     * The geometry of {@code op} (named in errors) over an input and weight of these shapes, with an optional
     * {@code bias} shape (null: none); throws {@link IllegalArgumentException} naming the op and the shapes when
     * they do not fit together.
     */
    public static ConvGeometry of(String op, int[] in, int[] w, int[] bias, ConvParams p) {
        if (in.length != 4) throw new IllegalArgumentException(op + ": input must be [N, C, H, W], got shape " + str(in));
        if (w.length != 4) throw new IllegalArgumentException(op + ": weight must be [O, C/groups, kH, kW], got shape " + str(w));
        if (in[1] != w[1] * p.groups()) {
            throw new IllegalArgumentException(op + ": input shape " + str(in) + " has " + in[1] + " channels but weight shape " + str(w)
                    + " with groups=" + p.groups() + " expects " + (w[1] * p.groups()));
        }
        if (w[0] % p.groups() != 0) {
            throw new IllegalArgumentException(op + ": " + w[0] + " output channels (weight shape " + str(w) + ") are not divisible by groups=" + p.groups());
        }
        if (bias != null && (bias.length != 1 || bias[0] != w[0])) {
            throw new IllegalArgumentException(op + ": bias shape " + str(bias) + " does not match " + w[0] + " output channels of weight " + str(w));
        }
        int oh = p.outH(in[2], w[2]), ow = p.outW(in[3], w[3]);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": input shape " + str(in) + " is too small for weight " + str(w) + " with " + p
                    + " (output would be " + oh + "x" + ow + ")");
        }
        return new ConvGeometry(in[0], p.groups(), w[1], in[2], in[3], w[0] / p.groups(), w[2], w[3], oh, ow,
                p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW());
    }

    /** {@link #of(String, int[], int[], int[], ConvParams)} for a conv2d without bias; for backends' tests and benchmarks. */
    public static ConvGeometry of(int[] in, int[] w, ConvParams p) {
        return of("conv2d", in, w, null, p);
    }

    public int channels() {
        return groups * cg;
    }

    public int outChannels() {
        return groups * og;
    }

    /** {@code [batch, C, height, width]} */
    public int[] inputShape() {
        return new int[] {batch, channels(), height, width};
    }

    /** {@code [O, cg, kH, kW]} */
    public int[] weightShape() {
        return new int[] {outChannels(), cg, kH, kW};
    }

    /** {@code [batch, O, outH, outW]} */
    public int[] outputShape() {
        return new int[] {batch, outChannels(), outH, outW};
    }

    /** The input row that output row {@code oh} reads through kernel tap {@code kh} (outside {@code 0 .. height-1}: padding). */
    public int inputRow(int oh, int kh) {
        return oh * strideH - padH + kh * dilationH;
    }

    /** The input column that output column {@code ow} reads through kernel tap {@code kw} (outside {@code 0 .. width-1}: padding). */
    public int inputColumn(int ow, int kw) {
        return ow * strideW - padW + kw * dilationW;
    }

    /** Rows of a group's im2col matrix ({@code cg·kH·kW}): the depth of each product. */
    public int depth() {
        return cg * kH * kW;
    }

    /** Columns of an im2col matrix: output cells per plane. */
    public int positions() {
        return outH * outW;
    }

    /** Multiply-adds of the forward pass (and of each gradient). */
    public long work() {
        return (long) batch * groups * og * depth() * positions();
    }

    /**
     * The input gradient of a stride-1 convolution as a forward convolution: source the output gradient
     * ({@code og} channels per group, {@code outH x outW}), destination the input gradient ({@code cg} per group,
     * {@code height x width}), the kernel flipped in space with padding {@code dilation·(k-1) - pad}. Only
     * meaningful for stride 1 (a larger stride would need a dilated source).
     */
    public ConvGeometry transposed() {
        return new ConvGeometry(batch, groups, og, outH, outW, cg, kH, kW, height, width,
                1, 1, dilationH * (kH - 1) - padH, dilationW * (kW - 1) - padW, dilationH, dilationW);
    }

    private static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
