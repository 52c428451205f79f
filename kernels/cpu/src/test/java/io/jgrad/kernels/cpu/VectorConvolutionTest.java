package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.assertBitwise;
import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;

import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.UnaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** im2col + GEMM convolution and its two gradients against the reference's direct loops. */
class VectorConvolutionTest {

    private final Generator gen = new Generator(21);

    /** Tolerance relative to the sum of |terms| of each output, for sums of {@code length} products. */
    private static double tolerance(long length) {
        return 2e-6 * Math.sqrt(Math.max(1, length));
    }

    private static void checkAll(NDArray x, NDArray w, NDArray bias, ConvParams p, String what) {
        int[] xs = x.shape(), ws = w.shape();
        ConvGeometry geo = ConvGeometry.of(xs, ws, p);
        int outH = p.outH(xs[2], ws[2]), outW = p.outW(xs[3], ws[3]);
        int[] outShape = {xs[0], ws[0], outH, outW};
        // forward
        NDArray expected = zeros(outShape), actual = zeros(outShape), scale = zeros(outShape);
        REFERENCE.conv2d(x, w, bias, geo, expected);
        REFERENCE.conv2d(x.abs(), w.abs(), bias == null ? null : bias.abs(), geo, scale);
        VECTOR.conv2d(x, w, bias, geo, actual);
        VectorChecks.assertClose(expected, actual, scale, tolerance((long) ws[1] * ws[2] * ws[3]), what + " forward");
        // gradients, for a random output gradient (also through a non-contiguous view)
        NDArray g = randn(new Generator(7), outShape);
        for (NDArray gradOut : new NDArray[] {g, VectorChecks.spaced(g)}) {
            NDArray gi = zeros(xs), giActual = VectorChecks.spaced(zeros(xs)), giScale = zeros(xs);
            REFERENCE.conv2dBackwardInput(gradOut, w, geo, gi);
            REFERENCE.conv2dBackwardInput(gradOut.abs(), w.abs(), geo, giScale);
            VECTOR.conv2dBackwardInput(gradOut, w, geo, giActual);
            VectorChecks.assertClose(gi, giActual, giScale, tolerance((long) ws[0] * ws[2] * ws[3]), what + " input gradient");
            NDArray gw = zeros(ws), gwActual = zeros(ws), gwScale = zeros(ws);
            REFERENCE.conv2dBackwardWeight(x, gradOut, geo, gw);
            REFERENCE.conv2dBackwardWeight(x.abs(), gradOut.abs(), geo, gwScale);
            VECTOR.conv2dBackwardWeight(x, gradOut, geo, gwActual);
            VectorChecks.assertClose(gw, gwActual, gwScale, tolerance((long) xs[0] * outH * outW), what + " weight gradient");
        }
    }

    /**
     * The ReLU fused into the write-back: the bits of the vector backend's own conv then ReLU (which the
     * forward check above ties to the reference), into a contiguous and a spaced output; and close to the
     * reference's composition, which is the semantic definition.
     */
    private static void checkFusedRelu(NDArray x, NDArray w, NDArray bias, ConvParams p, String what) {
        int[] xs = x.shape(), ws = w.shape();
        ConvGeometry geo = ConvGeometry.of(xs, ws, p);
        int[] outShape = {xs[0], ws[0], p.outH(xs[2], ws[2]), p.outW(xs[3], ws[3])};
        NDArray composed = zeros(outShape), fused = zeros(outShape), spaced = VectorChecks.spaced(zeros(outShape));
        NDArray expected = zeros(outShape), scale = zeros(outShape);
        VECTOR.conv2d(x, w, bias, geo, composed);
        VECTOR.unary(UnaryOp.RELU, composed, composed, 0, 0);
        VECTOR.conv2d(x, w, bias, geo, UnaryOp.RELU, fused);
        VECTOR.conv2d(x, w, bias, geo, UnaryOp.RELU, spaced);
        assertBitwise(composed, fused, what + " fused relu");
        assertBitwise(composed, spaced, what + " fused relu, spaced output");
        REFERENCE.conv2d(x, w, bias, geo, UnaryOp.RELU, expected);
        REFERENCE.conv2d(x.abs(), w.abs(), bias == null ? null : bias.abs(), geo, scale);
        VectorChecks.assertClose(expected, fused, scale, tolerance((long) ws[1] * ws[2] * ws[3]), what + " fused relu against the reference");
    }

    @ParameterizedTest(name = "N{0} C{1} {2}x{3} O{4} k{5}x{6} s{7} p{8} d{9} g{10}")
    @CsvSource({
            // N, C, H, W, O, kH, kW, stride, pad, dilation, groups
            "4, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1",   // MNIST conv1
            "3, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1",  // MNIST conv2
            "13, 3, 7, 9, 5, 3, 2, 1, 0, 1, 1",     // odd sizes, batch not a multiple of the chunk
            "37, 3, 7, 9, 5, 3, 3, 1, 1, 1, 1",     // "same", small plane: three chunks of 16 images, the last ragged
            "19, 2, 17, 17, 3, 3, 3, 1, 1, 1, 1",   // a plane past SMALL_PLANE: chunks of 8 images, segments of 512
            "2, 4, 11, 10, 6, 3, 3, 2, 1, 1, 2",    // stride 2, groups
            "2, 6, 9, 12, 6, 3, 3, 1, 2, 2, 3",     // dilation 2, groups
            "2, 8, 10, 10, 8, 3, 3, 1, 1, 1, 8",    // depthwise
            "3, 16, 5, 7, 33, 1, 1, 1, 0, 1, 1",    // 1x1
            "2, 3, 13, 13, 4, 5, 5, 3, 2, 1, 1",    // stride 3, padding 2
            "1, 2, 1, 31, 3, 1, 4, 1, 0, 1, 1",     // conv1d shape (height 1)
            "2, 2, 3, 3, 2, 3, 3, 1, 0, 1, 1",      // output 1x1
    })
    void matchesTheReference(int n, int c, int h, int w, int o, int kH, int kW, int stride, int pad, int dilation, int groups) {
        ConvParams p = new ConvParams(stride, stride, pad, pad, dilation, dilation, groups);
        NDArray x = randn(gen, n, c, h, w), weight = randn(gen, o, c / groups, kH, kW), bias = randn(gen, o);
        checkAll(x, weight, bias, p, "bias");
        checkAll(x, weight, null, p, "no bias");
        checkFusedRelu(x, weight, bias, p, "bias");
        checkFusedRelu(x, weight, null, p, "no bias");
    }

    @Test
    void stridedInputsAndWeights() {
        ConvParams p = new ConvParams(1, 2, 1, 0, 1, 1, 1);
        NDArray x = VectorChecks.transposed(randn(gen, 3, 4, 9, 8)), w = VectorChecks.spaced(randn(gen, 5, 4, 3, 3));
        ConvGeometry geo = ConvGeometry.of(x.shape(), w.shape(), p);
        checkAll(x, w, randn(gen, 5), p, "transposed input, spaced weight, rectangular stride");
        checkFusedRelu(x, w, randn(gen, 5), p, "transposed input, spaced weight, rectangular stride");
        NDArray out = VectorChecks.spaced(zeros(geo.outputShape())), expected = zeros(geo.outputShape());
        VECTOR.conv2d(x, w, null, geo, out);
        REFERENCE.conv2d(x, w, null, geo, expected);
        VectorChecks.assertClose(expected, out, 1e-5, 1e-5, "spaced output");
    }

    @Test
    void sameBitsForEveryThreadCount() {
        ConvParams p = ConvParams.of(1, 1, 1, 1);
        NDArray x = randn(gen, 20, 8, 12, 12), w = randn(gen, 16, 8, 3, 3), g = randn(gen, 20, 16, 12, 12);
        ConvGeometry geo = ConvGeometry.of(x.shape(), w.shape(), p);
        NDArray[] results = new NDArray[3];
        for (int threads : new int[] {1, 2, 3}) {
            VectorBackend backend = new VectorBackend(threads);
            NDArray out = zeros(20, 16, 12, 12), gi = zeros(20, 8, 12, 12), gw = zeros(16, 8, 3, 3);
            NDArray fused = zeros(20, 16, 12, 12);
            backend.conv2d(x, w, null, geo, out);
            backend.conv2d(x, w, null, geo, UnaryOp.RELU, fused);
            backend.conv2dBackwardInput(g, w, geo, gi);
            backend.conv2dBackwardWeight(x, g, geo, gw);
            NDArray all = NDArray.cat(0, out.flatten(), fused.flatten(), gi.flatten(), gw.flatten());
            if (results[0] != null) assertBitwise(results[0], all, threads + " threads");
            results[threads - 1] = all;
        }
    }
}
