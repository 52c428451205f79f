package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.KernelLayout;
import io.jgrad.tensor.spi.KernelPlans;

/**
 * 2-D convolution (NCHW) and its gradients as matrix products over im2col columns: the formulation of the
 * OpenCL backend's {@code ClConvolution} (see there), with the same portable {@code im2col.cl} kernels compiled
 * to PTX and {@link CudaGemm} for the products. Images go in chunks whose column matrices take at most
 * {@link #maxColumnElements} elements.
 */
final class CudaConvolution {

    /** Elements of the column buffer of one chunk (256 MiB of float32: GPUs have the memory); tests lower it. */
    static volatile int maxColumnElements = 1 << 26;
    /** conv2d's forward as one implicit-GEMM launch ({@link KernelPlans#IMPLICIT_CONV_PROPERTY}); tests switch it here. */
    static volatile boolean implicitForward = KernelPlans.implicitConvolution();

    private CudaConvolution() {
    }

    private static int chunk(ConvGeometry s) {
        return KernelPlans.imagesPerChunk(s, maxColumnElements);
    }

    private static String module(DType dtype) {
        return CudaModules.name("im2col", dtype);
    }

    /**
     * conv2d; with {@code relu}, the ReLU of the result as well, applied in the bias pass (one pass over the output
     * for both), so {@code relu} needs a bias.
     */
    static void forward(CudaRuntime rt, NDArray input, NDArray weight, NDArray bias, ConvGeometry s, boolean relu, NDArray out) {
        NDArray w = KernelLayout.flatFrom(weight, 1) ? weight : weight.contiguous();
        if (implicitForward) {
            int side = KernelPlans.CONV_GROUP_SIDE;
            rt.launch(CudaKernel.CONV2D_IMPLICIT, module(out.dtype()), KernelPlans.implicitConvGroups(s), new int[] {side, side, 1},
                    KernelPlans.implicitConvArgs(input, w, bias, out, s, relu, CudaStorage::of));
            return;
        }
        NDArray target = KernelLayout.flatFrom(out, 2) ? out : NDArray.zeros(out.dtype(), out.device(), out.shape());
        int depth = s.depth(), positions = s.positions(), og = s.og();
        for (int first = 0, chunk = chunk(s); first < s.batch(); first += chunk) {
            int count = Math.min(chunk, s.batch() - first);
            try (CudaStorage col = im2col(rt, input, s, first, count)) {
                long row = (long) count * positions;
                for (int g = 0; g < s.groups(); g++) {
                    var wg = new CudaGemm.Operand(CudaStorage.of(w), w.offset() + (long) g * og * w.stride(0), w.stride(0), 1, 0);
                    var colG = new CudaGemm.Operand(col, g * depth * row, row, 1, positions);
                    var outG = new CudaGemm.Operand(CudaStorage.of(target), target.offset() + (long) first * target.stride(0) + (long) g * og * target.stride(1),
                            target.stride(1), 1, target.stride(0));
                    CudaGemm.gemm(rt, out.dtype(), og, positions, depth, count, 1.0, wg, colG, 0.0, outG);
                }
            }
        }
        if (bias != null) addBias(rt, target, bias, relu);
        if (target != out) out.assign(target);
    }

    /** {@code out += bias} along dim 1 (a convolution's channels, a Linear layer's features), then its ReLU when {@code relu}: one launch. */
    static void addBias(CudaRuntime rt, NDArray out, NDArray bias, boolean relu) {
        rt.launch(CudaKernel.ADD_BIAS, module(out.dtype()), out.numel(),
                CudaStorage.of(out), CudaStorage.of(bias), KernelLayout.of(out), bias.offset(), bias.stride(0), out.numel(), relu ? 1 : 0);
    }

    static void backwardInput(CudaRuntime rt, NDArray gradOut, NDArray weight, ConvGeometry s, NDArray gradInput) {
        NDArray w = KernelLayout.flatFrom(weight, 1) ? weight : weight.contiguous();
        NDArray go = KernelLayout.flatFrom(gradOut, 2) ? gradOut : gradOut.contiguous();
        int depth = s.depth(), positions = s.positions(), og = s.og();
        for (int first = 0, chunk = chunk(s); first < s.batch(); first += chunk) {
            int count = Math.min(chunk, s.batch() - first);
            long row = (long) count * positions;
            try (CudaStorage col = rt.allocateUninitialized(gradInput.dtype(), (int) (s.groups() * depth * row))) {
                for (int g = 0; g < s.groups(); g++) {
                    var wgT = new CudaGemm.Operand(CudaStorage.of(w), w.offset() + (long) g * og * w.stride(0), 1, w.stride(0), 0);
                    var goG = new CudaGemm.Operand(CudaStorage.of(go), go.offset() + (long) first * go.stride(0) + (long) g * og * go.stride(1),
                            go.stride(1), 1, go.stride(0));
                    var colG = new CudaGemm.Operand(col, g * depth * row, row, 1, positions);
                    CudaGemm.gemm(rt, gradInput.dtype(), depth, positions, og, count, 1.0, wgT, goG, 0.0, colG);
                }
                int cells = count * s.channels() * s.height() * s.width();
                rt.launch(CudaKernel.COL2IM, module(gradInput.dtype()), cells,
                        col, CudaStorage.of(gradInput), KernelLayout.of(gradInput), KernelPlans.convStruct(s), first, count);
            }
        }
    }

    static void backwardWeight(CudaRuntime rt, NDArray input, NDArray gradOut, ConvGeometry s, NDArray gradWeight) {
        NDArray target = KernelLayout.flatFrom(gradWeight, 1) ? gradWeight : NDArray.zeros(gradWeight.dtype(), gradWeight.device(), gradWeight.shape());
        int depth = s.depth(), positions = s.positions(), og = s.og();
        for (int first = 0, chunk = chunk(s); first < s.batch(); first += chunk) {
            int count = Math.min(chunk, s.batch() - first);
            int row = count * positions;
            // gradOut of the chunk as [O][images][P], so that a group's rows span every image of the chunk.
            NDArray goT = gradOut.narrow(0, first, count).permute(1, 0, 2, 3).contiguous();
            try (CudaStorage col = im2col(rt, input, s, first, count)) {
                var goG = new CudaGemm.Operand(CudaStorage.of(goT), goT.offset(), row, 1, (long) og * row);
                var colT = new CudaGemm.Operand(col, 0, 1, row, (long) depth * row);
                var gw = new CudaGemm.Operand(CudaStorage.of(target), target.offset(), target.stride(0), 1, (long) og * target.stride(0));
                CudaGemm.gemm(rt, gradWeight.dtype(), og, depth, row, s.groups(), 1.0, goG, colT, first == 0 ? 0.0 : 1.0, gw);
            }
        }
        if (target != gradWeight) gradWeight.assign(target);
    }

    private static CudaStorage im2col(CudaRuntime rt, NDArray input, ConvGeometry s, int first, int count) {
        DType dtype = input.dtype();
        int size = s.groups() * s.depth() * count * s.positions();
        CudaStorage col = rt.allocateUninitialized(dtype, size);
        rt.launch(CudaKernel.IM2COL, module(dtype), size, CudaStorage.of(input), col, KernelLayout.of(input), KernelPlans.convStruct(s), first, count);
        return col;
    }
}
