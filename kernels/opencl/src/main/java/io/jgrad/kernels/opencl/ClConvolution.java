package io.jgrad.kernels.opencl;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvParams;

/**
 * 2-D convolution (NCHW) and its gradients on the OpenCL device, as direct loops: one work-item per element
 * written, each a single sum in the reference backend's order. Correct for any strides, groups, padding and
 * dilation; the baseline that faster kernels (im2col + SGEMM) are tested against.
 */
final class ClConvolution {
    private ClConvolution() {
    }

    /** {@code input [N, C, H, W]}, {@code weight [O, C/groups, kH, kW]}, optional {@code bias [O]}, {@code out [N, O, outH, outW]}. */
    static void forward(ClRuntime rt, NDArray input, NDArray weight, NDArray bias, ConvParams p, NDArray out) {
        int[] g = geometry(input.shape(), weight.shape(), out.shape(), p);
        boolean hasBias = bias != null;
        rt.launch(kernel(rt, input, "conv2d_forward"), out.numel(),
                ClStorage.of(input), ClStorage.of(weight), ClStorage.of(hasBias ? bias : out), ClStorage.of(out),
                ClLayout.of(input), ClLayout.of(weight), ClLayout.of(out),
                hasBias ? bias.offset() : 0, hasBias ? bias.stride(0) : 0, hasBias ? 1 : 0, g);
    }

    /** Gradient with respect to the input; {@code gradInput} is overwritten. */
    static void backwardInput(ClRuntime rt, NDArray gradOut, NDArray weight, ConvParams p, NDArray gradInput) {
        int[] g = geometry(gradInput.shape(), weight.shape(), gradOut.shape(), p);
        rt.launch(kernel(rt, gradOut, "conv2d_backward_input"), gradInput.numel(),
                ClStorage.of(gradOut), ClStorage.of(weight), ClStorage.of(gradInput),
                ClLayout.of(gradOut), ClLayout.of(weight), ClLayout.of(gradInput), g);
    }

    /** Gradient with respect to the weight; {@code gradWeight} is overwritten. */
    static void backwardWeight(ClRuntime rt, NDArray input, NDArray gradOut, ConvParams p, NDArray gradWeight) {
        int[] g = geometry(input.shape(), gradWeight.shape(), gradOut.shape(), p);
        rt.launch(kernel(rt, input, "conv2d_backward_weight"), gradWeight.numel(),
                ClStorage.of(input), ClStorage.of(gradOut), ClStorage.of(gradWeight),
                ClLayout.of(input), ClLayout.of(gradOut), ClLayout.of(gradWeight), g);
    }

    private static org.jocl.cl_kernel kernel(ClRuntime rt, NDArray a, String name) {
        return rt.kernel("conv.cl", name, ClRuntime.typeDefines(a.dtype()));
    }

    /** The {@code ConvGeometry} struct of conv.cl, field by field. */
    private static int[] geometry(int[] in, int[] w, int[] out, ConvParams p) {
        return new int[] {in[0], in[1], in[2], in[3], w[0], w[1], w[0] / p.groups(), w[2], w[3], out[2], out[3],
                p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW()};
    }
}
