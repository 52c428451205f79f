package io.jgrad.kernels.opencl;

import static io.jgrad.kernels.opencl.OpenClTesting.REFERENCE;
import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.ConvParams;
import org.junit.jupiter.api.Test;

/**
 * conv2d forward, input gradient and weight gradient (im2col + GEMM) against the reference backend: odd
 * shapes, stride, padding, dilation, groups, bias, a non-contiguous input, float64, and chunks of images.
 * Tolerances grow with the length of each sum.
 */
class ConvolutionTest {

    /** One convolution: batch, channels, height, width, output channels, kernel, geometry. */
    record Case(int n, int c, int h, int w, int o, int kH, int kW, ConvParams p, boolean bias) {
    }

    private static final Case[] CASES = {
            new Case(2, 3, 7, 9, 5, 3, 3, ConvParams.of(1, 1, 1, 1), true),
            new Case(3, 4, 13, 11, 6, 3, 2, new ConvParams(2, 3, 1, 0, 1, 2, 2), true),
            new Case(1, 6, 9, 8, 6, 3, 3, ConvParams.of(1, 2, 2, 6), false),   // depthwise, dilated
            new Case(2, 1, 28, 28, 8, 5, 5, ConvParams.of(1, 2, 1, 1), true),  // a first layer
            new Case(2, 8, 14, 14, 16, 3, 3, ConvParams.of(2, 1, 1, 2), true),
            new Case(1, 2, 5, 3, 3, 1, 1, ConvParams.of(1, 0, 1, 1), false),   // 1x1
            new Case(2, 3, 4, 4, 2, 4, 4, ConvParams.of(3, 0, 1, 1), true),    // kernel as big as the input
    };

    @Test
    void forwardAndGradientsMatchTheReference() {
        for (Case t : CASES) check(t, DType.FLOAT32, false);
    }

    @Test
    void nonContiguousOperands() {
        check(CASES[1], DType.FLOAT32, true);
        check(CASES[4], DType.FLOAT32, true);
    }

    @Test
    void float64() {
        org.junit.jupiter.api.Assumptions.assumeTrue(OpenClTesting.runtime().info().fp64(), "device has no fp64");
        check(CASES[1], DType.FLOAT64, false);
    }

    @Test
    void imagesInChunks() {
        int saved = ClConvolution.maxColumnElements;
        ClConvolution.maxColumnElements = 1000; // one image per chunk for these shapes
        try {
            check(new Case(3, 4, 9, 9, 4, 3, 3, ConvParams.of(1, 1, 1, 2), true), DType.FLOAT32, false);
        } finally {
            ClConvolution.maxColumnElements = saved;
        }
    }

    /**
     * The weight gradient is one long product over every position of a chunk: with a GPU's compute units it splits
     * K (GemmSplit), and a later chunk adds its split product to the earlier ones (beta = 1).
     */
    @Test
    void weightGradientSplitAlongPositions() {
        int savedUnits = ClGemm.plannedComputeUnits, savedColumns = ClConvolution.maxColumnElements;
        ClGemm.plannedComputeUnits = 128;
        try {
            Case t = new Case(4, 3, 16, 16, 5, 3, 3, ConvParams.of(1, 1, 1, 1), true);
            check(t, DType.FLOAT32, false);
            check(t, DType.FLOAT32, true);
            ClConvolution.maxColumnElements = 2 * 27 * 256; // two images per chunk
            check(t, DType.FLOAT32, false);
        } finally {
            ClGemm.plannedComputeUnits = savedUnits;
            ClConvolution.maxColumnElements = savedColumns;
        }
    }

    /**
     * The forward as one implicit-GEMM launch (conv2d_implicit, -Djgrad.conv.implicit=true): every case, strided
     * operands, float64, and the ReLU of NaN and infinite sums, against the reference; the gradients are unchanged.
     */
    @Test
    void implicitForwardMatchesTheReference() {
        boolean saved = ClConvolution.implicitForward;
        ClConvolution.implicitForward = true;
        try {
            for (Case t : CASES) check(t, DType.FLOAT32, false);
            check(CASES[1], DType.FLOAT32, true);
            check(CASES[4], DType.FLOAT32, true);
            check(new Case(3, 70, 9, 11, 130, 3, 3, ConvParams.of(1, 1, 1, 1), true), DType.FLOAT32, false);   // tiles of 64 channels, K over 16s
            if (OpenClTesting.runtime().info().fp64()) check(CASES[1], DType.FLOAT64, false);
            reluInTheBiasPassOnNaNAndInfiniteSums();
            long before = OpenClTesting.runtime().launches();
            NDArray x = OpenClTesting.randn(11, DType.FLOAT32, 2, 3, 8, 8).to(OpenClTesting.backend().device());
            NDArray w = OpenClTesting.randn(12, DType.FLOAT32, 4, 3, 3, 3).to(x.device()), b = OpenClTesting.randn(13, DType.FLOAT32, 4).to(x.device());
            x.conv2dRelu(w, b, ConvParams.of(1, 1, 1, 1));
            assertEquals(1, OpenClTesting.runtime().launches() - before, "conv2d + bias + ReLU in one launch");
        } finally {
            ClConvolution.implicitForward = saved;
        }
    }

    /** The ReLU of the bias pass keeps NaN and +inf and maps -inf to +0, as the reference's ReLU. */
    @Test
    void reluInTheBiasPassOnNaNAndInfiniteSums() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            NDArray input = OpenClTesting.randn(7, dtype, 2, 3, 5, 4), weight = OpenClTesting.randn(8, dtype, 6, 3, 3, 3);
            NDArray bias = NDArray.of(new double[] {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, -0.0, 0, 1e30}, 6).to(dtype);
            ConvParams p = ConvParams.of(1, 1, 1, 1);
            NDArray expected = input.conv2dRelu(weight, bias, p);
            NDArray actual = input.to(cl.device()).conv2dRelu(weight.to(cl.device()), bias.to(cl.device()), p);
            assertMatches("conv2dRelu with NaN and infinite bias " + dtype, expected, actual, 1e-5, 1e-5);
            double[] a = actual.to(io.jgrad.tensor.Device.CPU).toDoubleArray();
            int plane = 5 * 4;
            assertEquals(0L, Double.doubleToRawLongBits(a[plane]), "ReLU of -inf is +0");
            assertEquals(Double.POSITIVE_INFINITY, a[2 * plane], "+inf stays");
            assertTrue(Double.isNaN(a[0]), "NaN stays NaN");
        }
    }

    private static void check(Case t, DType dtype, boolean strided) {
        OpenClBackend cl = OpenClTesting.backend();
        ConvParams p = t.p;
        int outH = p.outH(t.h, t.kH), outW = p.outW(t.w, t.kW);
        ConvGeometry geo = ConvGeometry.of(new int[] {t.n, t.c, t.h, t.w}, new int[] {t.o, t.c / p.groups(), t.kH, t.kW}, p);
        NDArray input = OpenClTesting.randn(1, dtype, t.n, t.c, t.h, t.w);
        NDArray weight = OpenClTesting.randn(2, dtype, t.o, t.c / p.groups(), t.kH, t.kW);
        NDArray bias = t.bias ? OpenClTesting.randn(3, dtype, t.o) : null;
        NDArray gradOut = OpenClTesting.randn(4, dtype, t.n, t.o, outH, outW);
        NDArray dIn = on(cl, input, strided), dW = on(cl, weight, strided), dB = bias == null ? null : bias.to(cl.device());
        NDArray dGo = on(cl, gradOut, strided);
        String what = t + " " + dtype + (strided ? " strided" : "");
        double eps = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;

        NDArray expected = NDArray.zeros(dtype, t.n, t.o, outH, outW), actual = NDArray.zeros(dtype, cl.device(), t.n, t.o, outH, outW);
        REFERENCE.conv2d(input, weight, bias, geo, expected);
        cl.conv2d(dIn, dW, dB, geo, actual);
        int depth = t.c / p.groups() * t.kH * t.kW;
        assertMatches("forward " + what, expected, actual, 8 * eps * Math.sqrt(depth), 8 * eps * depth);
        // with a ReLU: applied in the bias pass when there is a bias, else the SPI's default composition
        NDArray expectedRelu = NDArray.zeros(dtype, t.n, t.o, outH, outW), actualRelu = NDArray.zeros(dtype, cl.device(), t.n, t.o, outH, outW);
        REFERENCE.conv2d(input, weight, bias, geo, io.jgrad.tensor.spi.UnaryOp.RELU, expectedRelu);
        cl.conv2d(dIn, dW, dB, geo, io.jgrad.tensor.spi.UnaryOp.RELU, actualRelu);
        assertMatches("forward + relu " + what, expectedRelu, actualRelu, 8 * eps * Math.sqrt(depth), 8 * eps * depth);

        NDArray gi = NDArray.zeros(dtype, t.n, t.c, t.h, t.w), dGi = NDArray.full(dtype, Double.NaN, t.n, t.c, t.h, t.w).to(cl.device());
        REFERENCE.conv2dBackwardInput(gradOut, weight, geo, gi);
        cl.conv2dBackwardInput(dGo, dW, geo, dGi);
        int fanOut = t.o / p.groups() * t.kH * t.kW;
        assertMatches("backward input " + what, gi, dGi, 8 * eps * Math.sqrt(fanOut), 8 * eps * fanOut);

        NDArray gw = NDArray.zeros(dtype, weight.shape()), dGw = NDArray.full(dtype, Double.NaN, weight.shape()).to(cl.device());
        REFERENCE.conv2dBackwardWeight(input, gradOut, geo, gw);
        cl.conv2dBackwardWeight(dIn, dGo, geo, dGw);
        int positions = t.n * outH * outW;
        assertMatches("backward weight " + what, gw, dGw, 8 * eps * Math.sqrt(positions), 8 * eps * positions);
    }

    /** {@code x} on the device, contiguous or as a transposed-layout copy (same values, other strides). */
    private static NDArray on(OpenClBackend cl, NDArray x, boolean strided) {
        return (strided ? OpenClTesting.View.TRANSPOSED : OpenClTesting.View.CONTIGUOUS).of(x.to(cl.device()));
    }
}
