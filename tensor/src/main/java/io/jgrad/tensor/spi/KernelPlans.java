package io.jgrad.tensor.spi;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import java.util.Arrays;

/**
 * The host side of the portable GPU kernels that both GPU backends share: how an op's arrays become the layout
 * structs, sizes and scalars a kernel of {@code common.cl}'s families takes. Pure Java, so the OpenCL and the
 * CUDA backend differ only in how they launch (a queue and buffers, a stream and pointers).
 */
public final class KernelPlans {

    private KernelPlans() {
    }

    /**
     * A reduction: x walked as {@code outer} (out's shape, x's strides: the first element reduced into each output)
     * and {@code inner} (x's shape with the kept dims set to 1, offset 0: the steps from there); {@code out} is
     * out's layout over the same merged shape. {@code nInner == 0} is an empty reduction (the caller fills).
     */
    public record Reduce(int[] outer, int[] inner, int[] out, int nOut, int nInner) {
        /** Long reductions get a work-group (block) of {@link KernelDefines#REDUCE_GROUP} each, short ones a work-item each. */
        public boolean grouped() {
            return nInner >= KernelDefines.REDUCE_GROUP;
        }
    }

    public static Reduce reduce(NDArray x, NDArray out) {
        int nOut = out.numel();
        int[] xShape = x.shape(), outShape = out.shape(), innerShape = xShape.clone();
        for (int d = 0; d < xShape.length; d++) if (outShape[d] == xShape[d]) innerShape[d] = 1;
        int nInner = nOut == 0 ? 0 : x.numel() / nOut;
        NDArray outerView = NDArray.view(x.storage(), outShape, x.strides(), x.offset());
        NDArray innerView = NDArray.view(x.storage(), innerShape, x.strides(), 0);
        int[][] outer = KernelLayout.coalesce("reduce", outShape, outerView, out);
        int[] inner = KernelLayout.coalesce("reduce", innerShape, innerView)[0];
        return new Reduce(outer[0], inner, outer[1], nOut, nInner);
    }

    /** Arg-max/min along dim: {@code x} locates each scan's first element, {@code len} elements {@code stride} apart. */
    public record ArgReduce(int[] x, int[] out, int n, int len, int stride) {
    }

    public static ArgReduce argReduce(NDArray x, int dim, NDArray out) {
        int len = x.rank() == 0 ? 1 : x.shape(dim);
        int stride = x.rank() == 0 ? 0 : x.stride(dim);
        NDArray starts = NDArray.view(x.storage(), out.shape(), x.strides(), x.offset());
        int[][] l = KernelLayout.coalesce("argReduce", out.shape(), starts, out);
        return new ArgReduce(l[0], l[1], out.numel(), len, stride);
    }

    /** Softmax rows along dim: {@code x} and {@code out} locate each row's first element. For rank >= 1 and a non-empty dim. */
    public record Softmax(int[] x, int[] out, int rows, int len, int xStride, int outStride) {
    }

    public static Softmax softmax(NDArray x, int dim, NDArray out) {
        int[] rowShape = x.shape();
        rowShape[dim] = 1;
        NDArray xRows = NDArray.view(x.storage(), rowShape, x.strides(), x.offset());
        NDArray outRows = NDArray.view(out.storage(), rowShape, out.strides(), out.offset());
        int[][] l = KernelLayout.coalesce("softmax", rowShape, xRows, outRows);
        return new Softmax(l[0], l[1], Shapes.numel(rowShape), x.shape(dim), x.stride(dim), out.stride(dim));
    }

    /**
     * Arrays walked one row at a time over {@code rowShape}, as cross-entropy's kernels walk them: each viewed with
     * its leading {@code rowShape.length} strides (so a {@code [...rows, C]} array is located by each row's first
     * element), all over one merged shape. Returns their layout structs in order.
     */
    public static int[][] rowStarts(String op, int[] rowShape, NDArray... arrays) {
        NDArray[] starts = new NDArray[arrays.length];
        for (int k = 0; k < arrays.length; k++) {
            NDArray a = arrays[k];
            starts[k] = NDArray.view(a.storage(), rowShape, Arrays.copyOf(a.strides(), rowShape.length), a.offset());
        }
        return KernelLayout.coalesce(op, rowShape, starts);
    }

    /** The layout of an optional array; for null a rank-0 placeholder, passed beside a flag that says not to read it. */
    public static int[] optionalLayout(NDArray a) {
        return a == null ? KernelLayout.struct("optional", new int[0], new int[0], 0) : KernelLayout.of(a);
    }

    /**
     * Gather: x "pinned" along dim (the index's shape, x's strides elsewhere, 0 along dim; the index value times
     * {@code dimStride} supplies the dim), index and out, all over one merged shape.
     */
    public record Gather(int[] x, int[] index, int[] out, int n, int dimStride, int dimSize) {
    }

    public static Gather gather(NDArray x, int dim, NDArray index, NDArray out) {
        int[] strides = x.strides();
        int dimStride = x.rank() == 0 ? 0 : strides[dim], dimSize = x.rank() == 0 ? 1 : x.shape(dim);
        if (x.rank() > 0) strides[dim] = 0;
        NDArray pinned = NDArray.view(x.storage(), index.shape(), strides, x.offset());
        int[][] l = KernelLayout.coalesce("gather", index.shape(), pinned, index, out);
        return new Gather(l[0], l[1], l[2], out.numel(), dimStride, dimSize);
    }

    /** The {@code PoolGeometry} struct of pool.cl, field by field. */
    public static int[] poolStruct(PoolGeometry p) {
        return new int[] {p.batch(), p.channels(), p.height(), p.width(), p.outH(), p.outW(),
                p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW()};
    }

    /** The struct for max_pool_backward, which reads only the sizes (each window's choice is in the indices). */
    public static int[] poolPlanesStruct(int[] in, int[] out) {
        return new int[] {in[0], in[1], in[2], in[3], out[2], out[3], 1, 1, 1, 1, 0, 0};
    }

    /**
     * {@code -Djgrad.conv.implicit=true}: the GPU backends run conv2d's forward as one implicit-GEMM kernel
     * ({@code conv2d_implicit} of im2col.cl) instead of im2col, a GEMM and the bias pass. Off until a GPU run has
     * measured both ({@code gpu-check}'s {@code epoch_cuda_implicit}).
     */
    public static final String IMPLICIT_CONV_PROPERTY = "jgrad.conv.implicit";

    public static boolean implicitConvolution() {
        return Boolean.getBoolean(IMPLICIT_CONV_PROPERTY);
    }

    /** Work-items along each side of a {@code conv2d_implicit} work-group (16 x 16). */
    public static final int CONV_GROUP_SIDE = 16;
    private static final int CONV_TILE_POSITIONS = 64, CONV_TILE_CHANNELS = 64;

    /**
     * Work-groups of {@code conv2d_implicit} along x, y and z: tiles of 64 of the N*P output positions, tiles of 64
     * output channels of a group, the groups (its CONV_TQ and CONV_TO).
     */
    public static int[] implicitConvGroups(ConvGeometry s) {
        return new int[] {Math.toIntExact(((long) s.batch() * s.positions() + CONV_TILE_POSITIONS - 1) / CONV_TILE_POSITIONS),
                (s.og() + CONV_TILE_CHANNELS - 1) / CONV_TILE_CHANNELS, s.groups()};
    }

    /**
     * The arguments of {@code conv2d_implicit}, in order: input, weight (flat from dim 1), bias (the weight's buffer
     * again when there is none: never read), output, their layouts, the ConvShape, then og, the weight's offset and
     * row stride, the bias's offset and stride, hasBias and relu; {@code buffer} gives a backend's kernel argument
     * for an array's storage.
     */
    public static Object[] implicitConvArgs(NDArray input, NDArray weight, NDArray bias, NDArray out, ConvGeometry s, boolean relu,
                                            java.util.function.Function<NDArray, Object> buffer) {
        return new Object[] {buffer.apply(input), buffer.apply(weight), buffer.apply(bias == null ? weight : bias), buffer.apply(out),
                KernelLayout.of(input), KernelLayout.of(out), convStruct(s), s.og(), weight.offset(), weight.stride(0),
                bias == null ? 0 : bias.offset(), bias == null ? 0 : bias.stride(0), bias == null ? 0 : 1, relu ? 1 : 0};
    }

    /** Whether {@link Backend#crossEntropyReduced} of these logits {@code [...rows, C]} is one launch of cross_entropy_total. */
    public static boolean crossEntropyInOneLaunch(NDArray x, NDArray target) {
        return (long) target.numel() * x.shape(x.rank() - 1) <= KernelDefines.CROSS_ENTROPY_ONE_GROUP_LOGITS;
    }

    /**
     * The arguments of reduce.cl's {@code cross_entropy_total}, in order: x, target, weight (x again when none),
     * loss, stats, total, the layouts of x's rows, the targets and the weights, rows, classes, x's class step,
     * hasWeight, ignoreIndex, eps, the error report buffer {@code errors}, mean and computeRows. With {@code x} null
     * the rows are already computed (computeRows 0): loss stands in for x, target and weight, which are not read.
     * {@code buffer} gives a backend's kernel argument for an array's storage, {@code scalar} for a value of the
     * element type.
     */
    public static Object[] crossEntropyTotalArgs(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, boolean mean, NDArray loss,
                                                 NDArray stats, NDArray total, Object errors, java.util.function.Function<NDArray, Object> buffer,
                                                 java.util.function.DoubleFunction<Object> scalar) {
        if (x == null) {
            int[] none = optionalLayout(null);
            Object rows = buffer.apply(loss);
            return new Object[] {rows, rows, rows, rows, buffer.apply(stats), buffer.apply(total), none, none, none, loss.numel(), 0, 0, 0, 0L,
                    scalar.apply(0), errors, mean ? 1 : 0, 0};
        }
        int[][] l = rowStarts("crossEntropy", target.shape(), x, target);
        return new Object[] {buffer.apply(x), buffer.apply(target), buffer.apply(weight == null ? x : weight), buffer.apply(loss), buffer.apply(stats),
                buffer.apply(total), l[0], l[1], optionalLayout(weight), target.numel(), x.shape(x.rank() - 1), x.stride(x.rank() - 1),
                weight == null ? 0 : 1, (long) p.ignoreIndex(), scalar.apply(p.labelSmoothing()), errors, mean ? 1 : 0, 1};
    }

    /** The {@code ConvShape} struct of im2col.cl, field by field. */
    public static int[] convStruct(ConvGeometry s) {
        return new int[] {s.batch(), s.channels(), s.height(), s.width(), s.groups(), s.cg(), s.kH(), s.kW(), s.outH(), s.outW(),
                s.strideH(), s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW()};
    }

    /** Images per im2col chunk: as many as fit {@code maxColumnElements}, at least one. */
    public static int imagesPerChunk(ConvGeometry s, int maxColumnElements) {
        long perImage = (long) s.groups() * s.depth() * s.positions();
        return (int) Math.max(1, Math.min(s.batch(), maxColumnElements / Math.max(1, perImage)));
    }

    /**
     * The scalar arguments of optim.cl's adam_step after the five buffers and their offsets and the count:
     * the derived scalars rounded to the parameter's dtype (as {@link AdamStep} specifies), then the flags.
     */
    public static Object[] adamScalars(AdamStep s, DType t, boolean amsgrad) {
        return new Object[] {KernelDefines.scalar(t, s.decay()),
                KernelDefines.scalar(t, s.beta1()), KernelDefines.scalar(t, s.oneMinusBeta1()),
                KernelDefines.scalar(t, s.beta2()), KernelDefines.scalar(t, s.oneMinusBeta2()),
                KernelDefines.scalar(t, s.stepSize()), KernelDefines.scalar(t, s.sqrtBiasCorrection2()), KernelDefines.scalar(t, s.eps()),
                s.maximize() ? 1 : 0, s.decoupled() ? 1 : 0, s.l2Penalty() ? 1 : 0, amsgrad ? 1 : 0};
    }

    /** The scalar arguments of optim.cl's sgd_step after the three buffers, their offsets and the count. */
    public static Object[] sgdScalars(SgdStep s, DType t) {
        return new Object[] {KernelDefines.scalar(t, s.weightDecay()), KernelDefines.scalar(t, s.lr()),
                KernelDefines.scalar(t, s.momentum()), KernelDefines.scalar(t, 1 - s.dampening()),
                s.maximize() ? 1 : 0, s.weightDecay() != 0 ? 1 : 0, s.momentum() != 0 ? 1 : 0, s.firstStep() ? 1 : 0, s.nesterov() ? 1 : 0};
    }

    /** {@code head} followed by {@code tail}, for launch argument lists. */
    public static Object[] concat(Object[] head, Object[] tail) {
        Object[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
