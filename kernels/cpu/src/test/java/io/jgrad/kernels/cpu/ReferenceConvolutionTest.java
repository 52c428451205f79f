package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.TestArrays.assertClose;
import static io.jgrad.kernels.cpu.TestArrays.assertSameValues;
import static io.jgrad.kernels.cpu.TestArrays.assertValues;
import static io.jgrad.kernels.cpu.TestArrays.counting;
import static io.jgrad.kernels.cpu.TestArrays.dot;
import static io.jgrad.kernels.cpu.TestArrays.f64;
import static io.jgrad.kernels.cpu.TestArrays.randn;
import static io.jgrad.kernels.cpu.TestArrays.spacedView;
import static io.jgrad.kernels.cpu.TestArrays.transposedView;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.ConvParams;
import org.junit.jupiter.api.Test;

class ReferenceConvolutionTest {

    private static final ConvParams PLAIN = ConvParams.of(1, 0, 1, 1);

    // ---- forward, by hand -----------------------------------------------------------------------

    @Test
    void twoByTwoKernelOverThreeByThreeImage() {
        // x = [[1 2 3] [4 5 6] [7 8 9]], w = [[1 2] [3 4]]: out[0,0] = 1·1 + 2·2 + 4·3 + 5·4 = 37, and so on.
        NDArray out = counting(1, 1, 3, 3).conv2d(f64(new double[] {1, 2, 3, 4}, 1, 1, 2, 2), f64(new double[] {0.5}, 1), PLAIN);
        assertArrayEquals(new int[] {1, 1, 2, 2}, out.shape());
        assertValues(new double[] {37.5, 47.5, 67.5, 77.5}, out, 0);
    }

    @Test
    void paddingReadsZeros() {
        // A 3x3 kernel of ones with padding 1 sums each cell's in-range neighbourhood.
        NDArray out = counting(1, 1, 3, 3).conv2d(NDArray.ones(DType.FLOAT64, 1, 1, 3, 3), null, ConvParams.of(1, 1, 1, 1));
        assertValues(new double[] {12, 21, 16, 27, 45, 33, 24, 39, 28}, out, 0);
    }

    @Test
    void strideTwoWithPadding() {
        // x = 1..16 as 4x4, ones 3x3, stride 2, padding 1: out is 2x2; windows start at rows/cols -1 and 1.
        NDArray out = counting(1, 1, 4, 4).conv2d(NDArray.ones(DType.FLOAT64, 1, 1, 3, 3), null, ConvParams.of(2, 1, 1, 1));
        assertArrayEquals(new int[] {1, 1, 2, 2}, out.shape());
        assertValues(new double[] {1 + 2 + 5 + 6, 2 + 3 + 4 + 6 + 7 + 8, 5 + 6 + 9 + 10 + 13 + 14, 6 + 7 + 8 + 10 + 11 + 12 + 14 + 15 + 16}, out, 0);
    }

    @Test
    void dilationSpreadsTheKernel() {
        // x[r][c] = 5r + c + 1 (5x5), w = [[1 10] [100 1000]] dilated by 2:
        // out[i][j] = x[i][j] + 10·x[i][j+2] + 100·x[i+2][j] + 1000·x[i+2][j+2], a 3x3 output.
        NDArray out = counting(1, 1, 5, 5).conv2d(f64(new double[] {1, 10, 100, 1000}, 1, 1, 2, 2), null, ConvParams.of(1, 0, 2, 1));
        assertArrayEquals(new int[] {1, 1, 3, 3}, out.shape());
        assertEquals(1 + 10 * 3 + 100 * 11 + 1000 * 13, out.get(0, 0, 0, 0));
        assertEquals(13 + 10 * 15 + 100 * 23 + 1000 * 25, out.get(0, 0, 2, 2));
        assertEquals(7 + 10 * 9 + 100 * 17 + 1000 * 19, out.get(0, 0, 1, 1));
    }

    @Test
    void rectangularStrideAndPaddingPerDim() {
        // 1x5 image, 1x2 kernel [1, -1], stride (1, 2), padding (0, 1): columns -1..0, 1..2, 3..4.
        NDArray out = counting(1, 1, 1, 5).conv2d(f64(new double[] {1, -1}, 1, 1, 1, 2), null, new ConvParams(1, 2, 0, 1, 1, 1, 1));
        assertValues(new double[] {0 - 1, 2 - 3, 4 - 5}, out, 0);
    }

    @Test
    void groupsSeeOnlyTheirOwnChannels() {
        // 4 input channels holding 1, 2, 3, 4 (1x1 images), 4 filters, groups = 2. Group 0 (out0, out1) reads
        // x0, x1: 1·1 + 2·2 = 5 and 10·1 + 20·2 = 50; group 1 (out2, out3) reads x2, x3: 3·3 + 4·4 = 25, 250.
        NDArray x = f64(new double[] {1, 2, 3, 4}, 1, 4, 1, 1);
        NDArray w = f64(new double[] {1, 2, 10, 20, 3, 4, 30, 40}, 4, 2, 1, 1);
        NDArray out = x.conv2d(w, null, ConvParams.of(1, 0, 1, 2));
        assertValues(new double[] {5, 50, 25, 250}, out, 0);
    }

    @Test
    void depthwiseAndBatch() {
        // groups = channels: each channel scaled by its own weight, plus bias, for both images of the batch.
        NDArray x = counting(2, 3, 1, 2);
        NDArray out = x.conv2d(f64(new double[] {1, 10, 100}, 3, 1, 1, 1), f64(new double[] {0, 1, 2}, 3), ConvParams.of(1, 0, 1, 3));
        assertValues(new double[] {1, 2, 31, 41, 502, 602, 7, 8, 91, 101, 1102, 1202}, out, 0);
    }

    @Test
    void conv1dIsConv2dOfHeightOne() {
        // [1, 0, -1] with padding 1 is a central difference: out[i] = x[i-1] - x[i+1].
        NDArray out = counting(1, 1, 5).conv1d(f64(new double[] {1, 0, -1}, 1, 1, 3), null, 1, 1, 1, 1);
        assertArrayEquals(new int[] {1, 1, 5}, out.shape());
        assertValues(new double[] {-2, -2, -2, -2, 4}, out, 0);
    }

    @Test
    void float32IsComputedToo() {
        NDArray x = NDArray.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        NDArray out = x.conv2d(NDArray.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2), null, PLAIN);
        assertEquals(DType.FLOAT32, out.dtype());
        assertValues(new double[] {37, 47, 67, 77}, out, 0);
    }

    // ---- backward, by hand ----------------------------------------------------------------------

    @Test
    void backwardInputOfOnesCountsKernelTaps() {
        // gradOut = ones (2x2), w = [[1 2] [3 4]]: each input cell receives the weights whose taps cover it.
        NDArray g = NDArray.ones(DType.FLOAT64, 1, 1, 2, 2);
        NDArray gi = g.conv2dBackwardInput(f64(new double[] {1, 2, 3, 4}, 1, 1, 2, 2), new int[] {1, 1, 3, 3}, PLAIN);
        assertValues(new double[] {1, 3, 2, 4, 10, 6, 3, 7, 4}, gi, 0);
    }

    @Test
    void backwardWeightOfOnesSumsWindows() {
        // gradW[kh][kw] = Σ over output cells of x at the tap: the 2x2 window sums of 1..9 offset by (kh, kw).
        NDArray g = NDArray.ones(DType.FLOAT64, 1, 1, 2, 2);
        NDArray gw = g.conv2dBackwardWeight(counting(1, 1, 3, 3), new int[] {1, 1, 2, 2}, PLAIN);
        assertValues(new double[] {12, 16, 24, 28}, gw, 0);
    }

    @Test
    void backwardInputLeavesZerosWhereStrideSkips() {
        // A 1x1 kernel with stride 2 reads only the corners of a 3x3 input; the rest of the gradient is 0.
        NDArray g = f64(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        NDArray gi = g.conv2dBackwardInput(f64(new double[] {10}, 1, 1, 1, 1), new int[] {1, 1, 3, 3}, ConvParams.of(2, 0, 1, 1));
        assertValues(new double[] {10, 0, 20, 0, 0, 0, 30, 0, 40}, gi, 0);
    }

    @Test
    void backwardKernelsOverwriteTheirOutput() {
        // Called directly on outputs full of NaN: every element must be written, none added to.
        Generator gen = new Generator(7);
        ConvParams p = ConvParams.of(2, 1, 1, 1);
        NDArray x = randn(gen, 1, 2, 5, 5), w = randn(gen, 3, 2, 3, 3);
        NDArray g = randn(gen, 1, 3, 3, 3);
        NDArray gi = NDArray.full(DType.FLOAT64, Double.NaN, 1, 2, 5, 5), gw = NDArray.full(DType.FLOAT64, Double.NaN, 3, 2, 3, 3);
        ConvGeometry geo = ConvGeometry.of(x.shape(), w.shape(), p);
        new ReferenceBackend().conv2dBackwardInput(g, w, geo, gi);
        new ReferenceBackend().conv2dBackwardWeight(x, g, geo, gw);
        assertSameValues(g.conv2dBackwardInput(w, x.shape(), p), gi, 0);
        assertSameValues(g.conv2dBackwardWeight(x, w.shape(), p), gw, 0);
    }

    // ---- against an independent definition over many geometries ---------------------------------

    /** (N, C, H, W, O, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, groups) */
    private static final int[][] GEOMETRIES = {
            {1, 1, 3, 3, 1, 2, 2, 1, 1, 0, 0, 1, 1, 1},
            {2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1},
            {2, 4, 9, 8, 6, 3, 2, 2, 3, 1, 0, 2, 1, 2},
            {1, 6, 5, 7, 6, 3, 3, 2, 2, 2, 1, 1, 2, 6},
            {3, 2, 4, 4, 2, 1, 1, 3, 2, 0, 1, 1, 1, 2},
            {1, 3, 1, 9, 2, 1, 4, 1, 2, 0, 3, 1, 3, 1},
            {2, 2, 6, 5, 3, 5, 4, 1, 1, 2, 2, 1, 1, 1},
    };

    private static ConvParams params(int[] g) {
        return new ConvParams(g[7], g[8], g[9], g[10], g[11], g[12], g[13]);
    }

    /** The conv2d formula read straight off the definition, through NDArray.get. */
    private static double[] convByDefinition(NDArray x, NDArray w, NDArray b, ConvParams p, int[] outShape) {
        int cg = w.shape(1), og = w.shape(0) / p.groups();
        double[] out = new double[outShape[0] * outShape[1] * outShape[2] * outShape[3]];
        int k = 0;
        for (int n = 0; n < outShape[0]; n++) {
            for (int o = 0; o < outShape[1]; o++) {
                for (int oh = 0; oh < outShape[2]; oh++) {
                    for (int ow = 0; ow < outShape[3]; ow++) {
                        double s = b == null ? 0 : b.get(o);
                        for (int c = 0; c < cg; c++) {
                            for (int kh = 0; kh < w.shape(2); kh++) {
                                for (int kw = 0; kw < w.shape(3); kw++) {
                                    int ih = oh * p.strideH() - p.padH() + kh * p.dilationH();
                                    int iw = ow * p.strideW() - p.padW() + kw * p.dilationW();
                                    boolean inside = ih >= 0 && ih < x.shape(2) && iw >= 0 && iw < x.shape(3);
                                    if (inside) s += x.get(n, (o / og) * cg + c, ih, iw) * w.get(o, c, kh, kw);
                                }
                            }
                        }
                        out[k++] = s;
                    }
                }
            }
        }
        return out;
    }

    @Test
    void forwardMatchesTheDefinition() {
        Generator gen = new Generator(1);
        for (int[] g : GEOMETRIES) {
            ConvParams p = params(g);
            NDArray x = randn(gen, g[0], g[1], g[2], g[3]), w = randn(gen, g[4], g[1] / g[13], g[5], g[6]), b = randn(gen, g[4]);
            NDArray out = x.conv2d(w, b, p);
            assertArrayEquals(new int[] {g[0], g[4], p.outH(g[2], g[5]), p.outW(g[3], g[6])}, out.shape());
            assertValues(convByDefinition(x, w, b, p, out.shape()), out, 1e-12);
        }
    }

    /**
     * conv2d is linear in x and in w, and the two backward kernels are its adjoints:
     * {@code <conv(x, w), g> = <x, backwardInput(g, w)> = <w, backwardWeight(x, g)>}.
     */
    @Test
    void backwardKernelsAreAdjoints() {
        Generator gen = new Generator(2);
        for (int[] g : GEOMETRIES) {
            ConvParams p = params(g);
            NDArray x = randn(gen, g[0], g[1], g[2], g[3]), w = randn(gen, g[4], g[1] / g[13], g[5], g[6]);
            NDArray out = x.conv2d(w, null, p);
            NDArray grad = randn(gen, out.shape());
            double forward = dot(out, grad);
            double viaInput = dot(x, grad.conv2dBackwardInput(w, x.shape(), p));
            double viaWeight = dot(w, grad.conv2dBackwardWeight(x, w.shape(), p));
            assertClose(forward, viaInput, 1e-9, "backwardInput adjoint, " + p);
            assertClose(forward, viaWeight, 1e-9, "backwardWeight adjoint, " + p);
        }
    }

    // ---- strided views --------------------------------------------------------------------------

    @Test
    void stridedInputsGiveTheSameResultsAsContiguousCopies() {
        Generator gen = new Generator(3);
        ConvParams p = new ConvParams(2, 1, 1, 2, 1, 2, 2);
        NDArray x = randn(gen, 2, 4, 7, 6), w = randn(gen, 6, 2, 3, 2), b = randn(gen, 6);
        NDArray expected = x.conv2d(w, b, p);
        NDArray g = randn(gen, expected.shape());

        // NHWC storage seen as NCHW; a weight stored transposed; a bias with gaps; a grad with gaps.
        NDArray xNhwc = x.permute(0, 2, 3, 1).copy().permute(0, 3, 1, 2);
        assertSameValues(expected, xNhwc.conv2d(transposedView(w), spacedView(b), p), 1e-12);
        assertSameValues(expected, spacedView(x).conv2d(w, b, p), 1e-12);
        assertSameValues(g.conv2dBackwardInput(w, x.shape(), p), spacedView(g).conv2dBackwardInput(transposedView(w), x.shape(), p), 1e-12);
        assertSameValues(g.conv2dBackwardWeight(x, w.shape(), p), transposedView(g).conv2dBackwardWeight(xNhwc, w.shape(), p), 1e-12);
    }

    @Test
    void slicedAndExpandedInputs() {
        Generator gen = new Generator(4);
        NDArray big = randn(gen, 3, 5, 10, 9);
        // Every other row and column of a window of a bigger image: offset and strides > 1.
        NDArray x = big.slice(0, 1, 3).slice(1, 1, 4).slice(2, 1, 10, 2).slice(3, 0, 9, 2);
        // One image repeated over the batch with stride 0.
        NDArray expanded = randn(gen, 1, 3, 5, 5).expand(4, 3, 5, 5);
        NDArray w = randn(gen, 2, 3, 2, 2);
        ConvParams p = ConvParams.of(1, 1, 1, 1);
        assertSameValues(x.contiguous().conv2d(w, null, p), x.conv2d(w, null, p), 1e-12);
        assertSameValues(expanded.contiguous().conv2d(w, null, p), expanded.conv2d(w, null, p), 1e-12);
        NDArray g = randn(gen, 4, 2, 6, 6);
        assertSameValues(g.conv2dBackwardWeight(expanded.contiguous(), w.shape(), p), g.conv2dBackwardWeight(expanded, w.shape(), p), 1e-12);
    }

    @Test
    void writesIntoStridedOutputs() {
        Generator gen = new Generator(5);
        ConvParams p = ConvParams.of(1, 1, 1, 1);
        NDArray x = randn(gen, 2, 3, 4, 5), w = randn(gen, 4, 3, 3, 3);
        NDArray expected = x.conv2d(w, null, p);
        NDArray out = transposedView(NDArray.zeros(DType.FLOAT64, expected.shape()));
        new ReferenceBackend().conv2d(x, w, null, ConvGeometry.of(x.shape(), w.shape(), p), out);
        assertSameValues(expected, out, 0);
    }

    // ---- facade ---------------------------------------------------------------------------------

    @Test
    void backwardWeightAcceptsAWeightBiggerThanTheGradient() {
        // A 3x3 kernel over a 3x3 image: the weight has 9 elements, the output gradient only 1.
        NDArray gw = f64(new double[] {2}, 1, 1, 1, 1).conv2dBackwardWeight(counting(1, 1, 3, 3), new int[] {1, 1, 3, 3}, PLAIN);
        assertValues(new double[] {2, 4, 6, 8, 10, 12, 14, 16, 18}, gw, 0);
    }

    @Test
    void backwardWeightChecksTheInputDtype() {
        NDArray g = NDArray.ones(DType.FLOAT64, 1, 1, 2, 2);
        NDArray x32 = NDArray.ones(DType.FLOAT32, 1, 1, 3, 3);
        assertThrows(IllegalArgumentException.class, () -> g.conv2dBackwardWeight(x32, new int[] {1, 1, 2, 2}, PLAIN));
    }
}
