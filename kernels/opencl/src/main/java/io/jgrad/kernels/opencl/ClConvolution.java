package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.KernelLayout;
import io.jgrad.tensor.spi.KernelPlans;

/**
 * 2-D convolution (NCHW) and its gradients on the OpenCL device as matrix products over im2col columns
 * ({@code im2col.cl} + {@link ClGemm}), in the notation of the CPU backend's {@code VectorConvolution}: for
 * group g, {@code W_g} is the {@code Og x K} block of weight rows ({@code K = Cg·kH·kW}) and {@code col_g} the
 * {@code K x P} column matrix of an image ({@code P = outH·outW}). Then
 *
 * <pre>
 * out[n, g]    = W_g · col_g(n)                       (+ bias)
 * gradIn[n, g] = col2im(W_g^T · gradOut[n, g])        (col2im a gather: deterministic, no atomics)
 * gradW[g]     = gradOut[·, g] · col_g(·)^T           (one product over all images of a chunk)
 * </pre>
 *
 * Images go in chunks whose column matrices take at most {@link #maxColumnElements} elements; each product
 * runs batched over the images of a chunk, one launch per group. The weight gradient adds chunk after chunk
 * (beta = 1), in a fixed order.
 */
final class ClConvolution {

    /** Elements of the column buffer of one chunk (64 MiB of float32); tests lower it to exercise chunking. */
    static volatile int maxColumnElements = 1 << 24;
    /** conv2d's forward as one implicit-GEMM launch ({@link KernelPlans#IMPLICIT_CONV_PROPERTY}); tests switch it here. */
    static volatile boolean implicitForward = KernelPlans.implicitConvolution();
    private static final String SOURCE = "im2col.cl";

    private ClConvolution() {
    }

    private static int chunk(ConvGeometry s) {
        return KernelPlans.imagesPerChunk(s, maxColumnElements);
    }

    /**
     * conv2d; with {@code relu}, the ReLU of the result as well, applied in the bias pass (one pass over the output
     * for both), so {@code relu} needs a bias.
     */
    static void forward(ClRuntime rt, NDArray input, NDArray weight, NDArray bias, ConvGeometry s, boolean relu, NDArray out) {
        NDArray w = KernelLayout.flatFrom(weight, 1) ? weight : weight.contiguous();
        if (implicitForward) {
            implicitForward(rt, input, w, bias, s, relu, out);
            return;
        }
        NDArray target = KernelLayout.flatFrom(out, 2) ? out : NDArray.zeros(out.dtype(), out.device(), out.shape());
        int depth = s.depth(), positions = s.positions(), og = s.og();
        ClGemm gemm = ClGemm.of(rt);
        for (int first = 0, chunk = chunk(s); first < s.batch(); first += chunk) {
            int count = Math.min(chunk, s.batch() - first);
            try (ClStorage col = im2col(rt, input, s, first, count)) {
                int row = count * positions;
                for (int g = 0; g < s.groups(); g++) {
                    GemmOperand wg = new GemmOperand(ClStorage.of(w).buffer(), w.offset() + g * og * w.stride(0), w.stride(0), 1, 0);
                    GemmOperand colG = new GemmOperand(col.buffer(), g * depth * row, row, 1, positions);
                    GemmOperand outG = new GemmOperand(ClStorage.of(target).buffer(),
                            target.offset() + first * target.stride(0) + g * og * target.stride(1), target.stride(1), 1, target.stride(0));
                    gemm.gemm(out.dtype(), og, positions, depth, count, 1.0, wg, colG, 0.0, outG);
                }
            }
        }
        if (bias != null) addBias(rt, target, bias, relu);
        if (target != out) out.assign(target);
    }

    /** {@code out += bias} along dim 1 (a convolution's channels, a Linear layer's features), then its ReLU when {@code relu}: one launch. */
    static void addBias(ClRuntime rt, NDArray out, NDArray bias, boolean relu) {
        rt.launch(rt.kernel(SOURCE, "add_bias", ClRuntime.typeDefines(out.dtype())), out.numel(),
                ClStorage.of(out), ClStorage.of(bias), KernelLayout.of(out), bias.offset(), bias.stride(0), out.numel(), relu ? 1 : 0);
    }

    /** conv2d in one launch of {@code conv2d_implicit} (see {@link KernelPlans#IMPLICIT_CONV_PROPERTY}); any layout of out. */
    private static void implicitForward(ClRuntime rt, NDArray input, NDArray w, NDArray bias, ConvGeometry s, boolean relu, NDArray out) {
        long side = KernelPlans.CONV_GROUP_SIDE;
        int[] groups = KernelPlans.implicitConvGroups(s);
        long[] global = {groups[0] * side, groups[1] * side, groups[2]};
        rt.launch(rt.kernel(SOURCE, "conv2d_implicit", ClRuntime.typeDefines(out.dtype())), global, new long[] {side, side, 1},
                KernelPlans.implicitConvArgs(input, w, bias, out, s, relu, ClStorage::of));
    }

    static void backwardInput(ClRuntime rt, NDArray gradOut, NDArray weight, ConvGeometry s, NDArray gradInput) {
        NDArray w = KernelLayout.flatFrom(weight, 1) ? weight : weight.contiguous();
        NDArray go = KernelLayout.flatFrom(gradOut, 2) ? gradOut : gradOut.contiguous();
        int depth = s.depth(), positions = s.positions(), og = s.og();
        ClGemm gemm = ClGemm.of(rt);
        for (int first = 0, chunk = chunk(s); first < s.batch(); first += chunk) {
            int count = Math.min(chunk, s.batch() - first);
            int row = count * positions;
            try (ClStorage col = rt.allocateUninitialized(gradInput.dtype(), s.groups() * depth * row)) {
                for (int g = 0; g < s.groups(); g++) {
                    // W_g^T: the weight rows of group g read column by column.
                    GemmOperand wgT = new GemmOperand(ClStorage.of(w).buffer(), w.offset() + g * og * w.stride(0), 1, w.stride(0), 0);
                    GemmOperand goG = new GemmOperand(ClStorage.of(go).buffer(), go.offset() + first * go.stride(0) + g * og * go.stride(1),
                            go.stride(1), 1, go.stride(0));
                    GemmOperand colG = new GemmOperand(col.buffer(), g * depth * row, row, 1, positions);
                    gemm.gemm(gradInput.dtype(), depth, positions, og, count, 1.0, wgT, goG, 0.0, colG);
                }
                int cells = count * s.channels() * s.height() * s.width();
                rt.launch(rt.kernel(SOURCE, "col2im", ClRuntime.typeDefines(gradInput.dtype())), cells,
                        col, ClStorage.of(gradInput), KernelLayout.of(gradInput), KernelPlans.convStruct(s), first, count);
            }
        }
    }

    static void backwardWeight(ClRuntime rt, NDArray input, NDArray gradOut, ConvGeometry s, NDArray gradWeight) {
        NDArray target = KernelLayout.flatFrom(gradWeight, 1) ? gradWeight : NDArray.zeros(gradWeight.dtype(), gradWeight.device(), gradWeight.shape());
        int depth = s.depth(), positions = s.positions(), og = s.og();
        ClGemm gemm = ClGemm.of(rt);
        for (int first = 0, chunk = chunk(s); first < s.batch(); first += chunk) {
            int count = Math.min(chunk, s.batch() - first);
            int row = count * positions;
            // gradOut of the chunk as [O][images][P], so that a group's rows span every image of the chunk.
            NDArray goT = gradOut.narrow(0, first, count).permute(1, 0, 2, 3).contiguous();
            try (ClStorage col = im2col(rt, input, s, first, count)) {
                GemmOperand goG = new GemmOperand(ClStorage.of(goT).buffer(), goT.offset(), row, 1, og * row);
                GemmOperand colT = new GemmOperand(col.buffer(), 0, 1, row, depth * row);
                GemmOperand gw = new GemmOperand(ClStorage.of(target).buffer(), target.offset(), target.stride(0), 1, og * target.stride(0));
                gemm.gemm(gradWeight.dtype(), og, depth, row, s.groups(), 1.0, goG, colT, first == 0 ? 0.0 : 1.0, gw);
            }
        }
        if (target != gradWeight) gradWeight.assign(target);
    }

    /** The column matrices of images {@code first .. first+count-1}, laid out as im2col.cl describes. */
    private static ClStorage im2col(ClRuntime rt, NDArray input, ConvGeometry s, int first, int count) {
        DType dtype = input.dtype();
        int size = s.groups() * s.depth() * count * s.positions();
        ClStorage col = rt.allocateUninitialized(dtype, size);
        rt.launch(rt.kernel(SOURCE, "im2col", ClRuntime.typeDefines(dtype)), size,
                ClStorage.of(input), col, KernelLayout.of(input), KernelPlans.convStruct(s), first, count);
        return col;
    }
}
