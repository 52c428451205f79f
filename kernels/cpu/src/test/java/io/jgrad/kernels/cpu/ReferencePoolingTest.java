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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.PoolParams;
import org.junit.jupiter.api.Test;

class ReferencePoolingTest {

    private static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

    /**
     * <pre>
     * 1 3 2 1
     * 4 2 0 5
     * 7 8 1 1
     * 6 9 3 2
     * </pre>
     */
    private static NDArray image() {
        return f64(new double[] {1, 3, 2, 1, 4, 2, 0, 5, 7, 8, 1, 1, 6, 9, 3, 2}, 1, 1, 4, 4);
    }

    // ---- max pooling, by hand -------------------------------------------------------------------

    @Test
    void maxOfEachQuadrantWithFlatIndices() {
        NDArray[] r = image().maxPool2dWithIndices(PoolParams.of(2, 2, 0));
        assertValues(new double[] {4, 5, 9, 3}, r[0], 0);
        assertEquals(DType.INT64, r[1].dtype());
        assertArrayEquals(new long[] {4, 7, 13, 14}, r[1].toLongArray()); // h*W + w in the 4x4 plane
    }

    @Test
    void overlappingPaddedWindowsAndTheirGradient() {
        // k=3, s=2, p=1: windows cover rows/cols {0,1} and {1,2,3}; the 9 at (3,1) wins two windows.
        NDArray x = image();
        NDArray[] r = x.maxPool2dWithIndices(PoolParams.of(3, 2, 1));
        assertValues(new double[] {4, 5, 9, 9}, r[0], 0);
        assertArrayEquals(new long[] {4, 7, 13, 13}, r[1].toLongArray());
        NDArray gi = NDArray.ones(DType.FLOAT64, 1, 1, 2, 2).maxPool2dBackward(r[1], x.shape());
        assertValues(new double[] {0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0}, gi, 0);
    }

    @Test
    void paddingNeverWinsAndTiesGoToTheFirstCell() {
        // All -5 with padding 1: zero padding would win if it counted; every tie goes to the first in-range cell.
        NDArray x = NDArray.full(DType.FLOAT64, -5, 1, 1, 2, 2);
        NDArray[] r = x.maxPool2dWithIndices(PoolParams.of(2, 1, 1));
        assertValues(new double[] {-5, -5, -5, -5, -5, -5, -5, -5, -5}, r[0], 0);
        assertArrayEquals(new long[] {0, 0, 1, 0, 0, 1, 2, 2, 3}, r[1].toLongArray());
    }

    @Test
    void tiesScanRowsThenColumns() {
        // 3 at (0,0), (1,0), (1,1): the first in scan order, (0,0), wins.
        NDArray[] r = f64(new double[] {3, 1, 3, 3}, 1, 1, 2, 2).maxPool2dWithIndices(PoolParams.of(2, 1, 0));
        assertArrayEquals(new long[] {0}, r[1].toLongArray());
        // And (0,1) beats (1,0) when those two tie.
        r = f64(new double[] {1, 3, 3, 2}, 1, 1, 2, 2).maxPool2dWithIndices(PoolParams.of(2, 1, 0));
        assertArrayEquals(new long[] {1}, r[1].toLongArray());
    }

    @Test
    void windowsOfMinusInfinityReportTheirFirstCell() {
        NDArray x = NDArray.full(DType.FLOAT64, -INF, 1, 1, 3, 3);
        NDArray[] r = x.maxPool2dWithIndices(PoolParams.of(2, 1, 0));
        assertValues(new double[] {-INF, -INF, -INF, -INF}, r[0], 0);
        assertArrayEquals(new long[] {0, 1, 3, 4}, r[1].toLongArray());
    }

    @Test
    void nanBecomesTheMaximum() {
        // [[1 NaN 5] [2 7 NaN]], k=2, s=1. A NaN beats everything; with two NaNs PyTorch's CPU kernel
        // (val > max || isnan(val)) keeps the later one.
        NDArray x = f64(new double[] {1, NAN, 5, 2, 7, NAN}, 1, 1, 2, 3);
        NDArray[] r = x.maxPool2dWithIndices(PoolParams.of(2, 1, 0));
        assertValues(new double[] {NAN, NAN}, r[0], 0);
        assertArrayEquals(new long[] {1, 5}, r[1].toLongArray());
    }

    @Test
    void maxBackwardAddsUpWindowsThatPickTheSameCell() {
        NDArray x = f64(new double[] {1, 2, 3, 4, 9, 5, 6, 7, 8}, 1, 1, 3, 3);
        NDArray[] r = x.maxPool2dWithIndices(PoolParams.of(2, 1, 0));
        NDArray gi = f64(new double[] {1, 2, 3, 4}, 1, 1, 2, 2).maxPool2dBackward(r[1], x.shape());
        assertValues(new double[] {0, 0, 0, 0, 10, 0, 0, 0, 0}, gi, 0);
    }

    /** The form with the pool's geometry and a ReLU'd pooled output: windows whose output is not above 0 pass nothing. */
    @Test
    void maxBackwardWithTheGeometryMasksByTheReluOutput() {
        NDArray x = f64(new double[] {1, 2, 3, 4, 9, 5, 6, 7, 8}, 1, 1, 3, 3);
        PoolParams p = PoolParams.of(2, 1, 0);
        NDArray[] r = x.maxPool2dWithIndices(p);
        NDArray g = f64(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertValues(new double[] {0, 0, 0, 0, 10, 0, 0, 0, 0}, g.maxPool2dBackward(r[1], x.shape(), p, null), 0);
        NDArray relu = f64(new double[] {9, 0, -1, 9}, 1, 1, 2, 2);   // windows 1 and 2 closed
        assertValues(new double[] {0, 0, 0, 0, 5, 0, 0, 0, 0}, g.maxPool2dBackward(r[1], x.shape(), p, relu), 0);
        NDArray nanGrad = f64(new double[] {1, NAN, 3, 4}, 1, 1, 2, 2);   // g * 0 keeps NaN, as ReLU's gradient does
        assertTrue(Double.isNaN(nanGrad.maxPool2dBackward(r[1], x.shape(), p, relu).get(0, 0, 1, 1)));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.maxPool2dBackward(r[1], new int[] {1, 1, 4, 4}, p, null));
        assertTrue(e.getMessage().contains("maxPool2dBackward") && e.getMessage().contains("[1, 1, 2, 2]") && e.getMessage().contains("[1, 1, 3, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.maxPool2dBackward(r[1], x.shape(), p, f64(new double[] {1, 2}, 1, 1, 1, 2)));
        assertTrue(e.getMessage().contains("ReLU") && e.getMessage().contains("[1, 1, 1, 2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.maxPool2dBackward(r[1], x.shape(), p, relu.to(DType.FLOAT32)));
    }

    // ---- average pooling, by hand ---------------------------------------------------------------

    @Test
    void averageOfEachQuadrant() {
        assertValues(new double[] {3.5, 5.5, 11.5, 13.5}, counting(1, 1, 4, 4).avgPool2d(PoolParams.of(2, 2, 0)), 0);
    }

    @Test
    void paddedCellsCountInTheDivisor() {
        // k=3, s=2, p=1 over 1..16: every window divides by 9, including the corner one with 4 real cells.
        NDArray out = counting(1, 1, 4, 4).avgPool2d(PoolParams.of(3, 2, 1));
        assertValues(new double[] {14.0 / 9, 30.0 / 9, 57.0 / 9, 99.0 / 9}, out, 1e-15);
    }

    @Test
    void averageBackwardSpreadsEvenly() {
        // k=2, s=1 on 3x3: each cell gets 1/4 per window that covers it.
        NDArray gi = NDArray.ones(DType.FLOAT64, 1, 1, 2, 2).avgPool2dBackward(PoolParams.of(2, 1, 0), new int[] {1, 1, 3, 3});
        assertValues(new double[] {0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25}, gi, 0);
    }

    @Test
    void averageBackwardDropsTheShareOfPadding() {
        // k=2, s=2, p=1 on 2x2: each of the 4 windows holds one real cell, which gets gradOut/4.
        NDArray gi = f64(new double[] {4, 8, 12, 16}, 1, 1, 2, 2).avgPool2dBackward(PoolParams.of(2, 2, 1), new int[] {1, 1, 2, 2});
        assertValues(new double[] {1, 2, 3, 4}, gi, 0);
    }

    // ---- many geometries ------------------------------------------------------------------------

    /** (N, C, H, W, kH, kW, strideH, strideW, padH, padW) */
    private static final int[][] GEOMETRIES = {
            {1, 1, 4, 4, 2, 2, 2, 2, 0, 0},
            {2, 3, 7, 6, 3, 3, 2, 2, 1, 1},
            {1, 2, 5, 8, 2, 3, 1, 2, 1, 1},
            {2, 2, 6, 5, 4, 2, 3, 1, 2, 0},
            {1, 3, 9, 9, 3, 3, 1, 1, 0, 1},
            {3, 1, 5, 7, 5, 5, 2, 2, 2, 2},
    };

    private static PoolParams params(int[] g) {
        return new PoolParams(g[4], g[5], g[6], g[7], g[8], g[9]);
    }

    @Test
    void maxIsTheLargestInRangeCellOfEachWindow() {
        Generator gen = new Generator(11);
        for (int[] g : GEOMETRIES) {
            PoolParams p = params(g);
            NDArray x = randn(gen, g[0], g[1], g[2], g[3]);
            NDArray[] r = x.maxPool2dWithIndices(p);
            int[] s = r[0].shape();
            for (int n = 0; n < s[0]; n++) {
                for (int c = 0; c < s[1]; c++) {
                    for (int oh = 0; oh < s[2]; oh++) {
                        for (int ow = 0; ow < s[3]; ow++) {
                            double best = -INF;
                            for (int h = oh * p.strideH() - p.padH(); h < oh * p.strideH() - p.padH() + p.kernelH(); h++) {
                                for (int w = ow * p.strideW() - p.padW(); w < ow * p.strideW() - p.padW() + p.kernelW(); w++) {
                                    if (h >= 0 && h < g[2] && w >= 0 && w < g[3]) best = Math.max(best, x.get(n, c, h, w));
                                }
                            }
                            long idx = r[1].getLong(n, c, oh, ow);
                            assertEquals(best, r[0].get(n, c, oh, ow), p.toString());
                            assertEquals(best, x.get(n, c, (int) (idx / g[3]), (int) (idx % g[3])), "value at the index, " + p);
                        }
                    }
                }
            }
        }
    }

    /** Average pooling with padding counted is a depthwise convolution with weights 1/(kH*kW). */
    @Test
    void averageIsADepthwiseConvolutionOfOnes() {
        Generator gen = new Generator(12);
        for (int[] g : GEOMETRIES) {
            PoolParams p = params(g);
            NDArray x = randn(gen, g[0], g[1], g[2], g[3]);
            NDArray w = NDArray.full(DType.FLOAT64, 1.0 / (g[4] * g[5]), g[1], 1, g[4], g[5]);
            ConvParams cp = new ConvParams(g[6], g[7], g[8], g[9], 1, 1, g[1]);
            NDArray out = x.avgPool2d(p);
            assertSameValues(x.conv2d(w, null, cp), out, 1e-12);
            NDArray grad = randn(gen, out.shape());
            assertSameValues(grad.conv2dBackwardInput(w, x.shape(), cp), grad.avgPool2dBackward(p, x.shape()), 1e-12);
        }
    }

    /**
     * Both backward kernels are adjoints: average pooling is linear, and max pooling with its indices fixed
     * is the linear map {@code out = x[indices]}.
     */
    @Test
    void backwardKernelsAreAdjoints() {
        Generator gen = new Generator(13);
        for (int[] g : GEOMETRIES) {
            PoolParams p = params(g);
            NDArray x = randn(gen, g[0], g[1], g[2], g[3]);
            NDArray[] max = x.maxPool2dWithIndices(p);
            NDArray grad = randn(gen, max[0].shape());
            assertClose(dot(max[0], grad), dot(x, grad.maxPool2dBackward(max[1], x.shape())), 1e-9, "max, " + p);
            assertClose(dot(x.avgPool2d(p), grad), dot(x, grad.avgPool2dBackward(p, x.shape())), 1e-9, "avg, " + p);
        }
    }

    // ---- strided views and outputs --------------------------------------------------------------

    @Test
    void stridedInputsGiveTheSameResultsAsContiguousCopies() {
        Generator gen = new Generator(14);
        PoolParams p = new PoolParams(3, 2, 2, 1, 1, 1);
        NDArray x = randn(gen, 2, 3, 7, 6);
        NDArray xNhwc = x.permute(0, 2, 3, 1).copy().permute(0, 3, 1, 2);
        NDArray[] expected = x.maxPool2dWithIndices(p);
        for (NDArray view : new NDArray[] {xNhwc, spacedView(x), transposedView(x)}) {
            NDArray[] r = view.maxPool2dWithIndices(p);
            assertSameValues(expected[0], r[0], 0);
            assertArrayEquals(expected[1].toLongArray(), r[1].toLongArray());
            assertSameValues(x.avgPool2d(p), view.avgPool2d(p), 1e-15);
        }
        NDArray grad = randn(gen, expected[0].shape());
        assertSameValues(grad.maxPool2dBackward(expected[1], x.shape()),
                spacedView(grad).maxPool2dBackward(transposedView(expected[1]), x.shape()), 0);
        assertSameValues(grad.avgPool2dBackward(p, x.shape()), transposedView(grad).avgPool2dBackward(p, x.shape()), 1e-15);

        NDArray slicedExpanded = randn(gen, 1, 3, 9, 9).slice(2, 1, 8).expand(2, 3, 7, 9).slice(3, 0, 9, 2);
        NDArray[] r = slicedExpanded.maxPool2dWithIndices(p);
        NDArray[] c = slicedExpanded.contiguous().maxPool2dWithIndices(p);
        assertSameValues(c[0], r[0], 0);
        assertArrayEquals(c[1].toLongArray(), r[1].toLongArray());
    }

    @Test
    void kernelsOverwriteStridedOutputs() {
        // Outputs full of NaN and stored transposed: every element must be written, none added to.
        Generator gen = new Generator(15);
        PoolParams p = PoolParams.of(3, 2, 1);
        NDArray x = randn(gen, 2, 2, 5, 6);
        PoolGeometry geo = PoolGeometry.of(x.shape(), p);
        NDArray[] expected = x.maxPool2dWithIndices(p);
        NDArray grad = randn(gen, expected[0].shape());
        var backend = new ReferenceBackend();

        NDArray out = transposedView(NDArray.full(DType.FLOAT64, NAN, expected[0].shape()));
        NDArray indices = transposedView(NDArray.full(DType.INT64, -1, expected[0].shape()));
        backend.maxPool2d(x, geo, out, indices);
        assertSameValues(expected[0], out, 0);
        assertArrayEquals(expected[1].toLongArray(), indices.toLongArray());

        backend.avgPool2d(x, geo, out);
        assertSameValues(x.avgPool2d(p), out, 0);

        NDArray gi = spacedView(NDArray.full(DType.FLOAT64, NAN, x.shape()));
        backend.maxPool2dBackward(grad, expected[1], gi);
        assertSameValues(grad.maxPool2dBackward(expected[1], x.shape()), gi, 0);
        backend.avgPool2dBackward(grad, geo, gi);
        assertSameValues(grad.avgPool2dBackward(p, x.shape()), gi, 0);
    }

    @Test
    void float32() {
        NDArray x = NDArray.of(new float[] {1, 3, 2, 1, 4, 2, 0, 5, 7, 8, 1, 1, 6, 9, 3, 2}, 1, 1, 4, 4);
        assertValues(new double[] {4, 5, 9, 3}, x.maxPool2d(PoolParams.of(2, 2, 0)), 0);
        assertValues(new double[] {2.5, 2, 7.5, 1.75}, x.avgPool2d(PoolParams.of(2, 2, 0)), 0);
    }

    // ---- facade ---------------------------------------------------------------------------------

    @Test
    void emptyPlanesAreRejected() {
        // With padding 1 a 0x0 plane would still give a 1x1 output whose window holds no input cell.
        NDArray empty = NDArray.zeros(DType.FLOAT64, 1, 1, 0, 0);
        var e = assertThrows(IllegalArgumentException.class, () -> empty.maxPool2dWithIndices(PoolParams.of(2, 1, 1)));
        assertTrue(e.getMessage().contains("maxPool2d"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> empty.avgPool2d(PoolParams.of(2, 1, 1)));
    }
}
