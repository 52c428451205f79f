package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.PoolParams;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.opencl.OpenClTesting.REFERENCE;
import static io.jgrad.kernels.opencl.OpenClTesting.View;
import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;

/** The ClMatmul, ClConvolution and ClPooling kernels against the reference backend, on strided operands. */
class MatmulConvPoolTest {

    @Test
    void batchedMatmulOverViews() {
        OpenClBackend cl = OpenClTesting.backend();
        int[][] mnk = {{1, 1, 1}, {2, 3, 7}, {13, 31, 33}, {33, 1, 257}, {7, 255, 13}, {1, 4099, 2}, {1021, 3, 5}};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int[] s : mnk) {
                for (View view : View.values()) {
                    NDArray a = OpenClTesting.randn(s[0], DType.FLOAT64, 2, s[0], s[2]).to(dtype);
                    NDArray b = OpenClTesting.randn(s[1], DType.FLOAT64, 2, s[2], s[1]).to(dtype);
                    NDArray expected = NDArray.zeros(dtype, 2, s[0], s[1]);
                    NDArray actual = View.TRANSPOSED.of(NDArray.zeros(dtype, cl.device(), 2, s[0], s[1]));
                    REFERENCE.matmul(view.of(a), View.TRANSPOSED.of(b), expected);
                    cl.matmul(view.of(a.to(cl.device())), View.TRANSPOSED.of(b.to(cl.device())), actual);
                    double tol = (dtype == DType.FLOAT32 ? 1e-6 : 1e-14) * s[2];
                    assertMatches("matmul " + dtype + " " + java.util.Arrays.toString(s) + " " + view, expected, actual, tol, tol);
                }
            }
        }
    }

    @Test
    void convolutionForwardAndGradients() {
        OpenClBackend cl = OpenClTesting.backend();
        ConvParams[] params = {ConvParams.of(1, 0, 1, 1), ConvParams.of(2, 1, 1, 1), new ConvParams(1, 2, 2, 1, 2, 1, 2), ConvParams.of(1, 1, 1, 4)};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (ConvParams p : params) {
                for (int size : new int[] {1, 3, 7, 13}) {
                    for (View view : new View[] {View.CONTIGUOUS, View.TRANSPOSED, View.SPACED}) {
                        int n = 2, c = 4, o = 8, k = 3;
                        int height = size + 2, width = size;
                        int outH = p.outH(height, k), outW = p.outW(width, k);
                        if (outH < 1 || outW < 1) continue;
                        NDArray input = OpenClTesting.randn(size, DType.FLOAT64, n, c, height, width).to(dtype);
                        NDArray weight = OpenClTesting.randn(size + 1, DType.FLOAT64, o, c / p.groups(), k, k).to(dtype);
                        NDArray bias = OpenClTesting.randn(size + 2, DType.FLOAT64, o).to(dtype);
                        ConvGeometry geo = ConvGeometry.of(input.shape(), weight.shape(), p);
                        NDArray gradOut = OpenClTesting.randn(size + 3, DType.FLOAT64, n, o, outH, outW).to(dtype);
                        String what = dtype + " " + p + " size " + size + " " + view;
                        double tol = dtype == DType.FLOAT32 ? 1e-4 : 1e-12;

                        NDArray expected = NDArray.zeros(dtype, n, o, outH, outW), actual = NDArray.zeros(dtype, cl.device(), n, o, outH, outW);
                        REFERENCE.conv2d(view.of(input), view.of(weight), bias, geo, expected);
                        cl.conv2d(view.of(input.to(cl.device())), view.of(weight.to(cl.device())), bias.to(cl.device()), geo, actual);
                        assertMatches("conv2d " + what, expected, actual, tol, tol);

                        expected = NDArray.zeros(dtype, n, c, height, width);
                        actual = View.TRANSPOSED.of(NDArray.zeros(dtype, cl.device(), n, c, height, width));
                        REFERENCE.conv2dBackwardInput(view.of(gradOut), weight, geo, expected);
                        cl.conv2dBackwardInput(view.of(gradOut.to(cl.device())), weight.to(cl.device()), geo, actual);
                        assertMatches("conv2dBackwardInput " + what, expected, actual, tol, tol);

                        expected = NDArray.zeros(dtype, weight.shape());
                        actual = NDArray.zeros(dtype, cl.device(), weight.shape());
                        REFERENCE.conv2dBackwardWeight(view.of(input), gradOut, geo, expected);
                        cl.conv2dBackwardWeight(view.of(input.to(cl.device())), gradOut.to(cl.device()), geo, actual);
                        assertMatches("conv2dBackwardWeight " + what, expected, actual, tol, tol);
                    }
                }
            }
        }
    }

    @Test
    void poolingForwardAndGradients() {
        OpenClBackend cl = OpenClTesting.backend();
        PoolParams[] params = {PoolParams.of(2, 2, 0), PoolParams.of(3, 1, 1), new PoolParams(3, 2, 2, 1, 1, 0)};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (PoolParams p : params) {
                for (int size : new int[] {3, 7, 13, 31}) {
                    for (View view : new View[] {View.CONTIGUOUS, View.TRANSPOSED, View.SPACED}) {
                        // Rounded values: ties between window cells are common, so "first maximum wins" is tested.
                        NDArray input = OpenClTesting.randn(size, DType.FLOAT64, 2, 3, size, size + 1).mul(2).to(DType.INT64).to(dtype);
                        int outH = p.outH(size), outW = p.outW(size + 1);
                        PoolGeometry geo = PoolGeometry.of(input.shape(), p);
                        String what = dtype + " " + p + " size " + size + " " + view;
                        NDArray hi = view.of(input), di = view.of(input.to(cl.device()));

                        NDArray out = NDArray.zeros(dtype, 2, 3, outH, outW), idx = NDArray.zeros(DType.INT64, 2, 3, outH, outW);
                        NDArray dOut = NDArray.zeros(dtype, cl.device(), 2, 3, outH, outW), dIdx = NDArray.zeros(DType.INT64, cl.device(), 2, 3, outH, outW);
                        REFERENCE.maxPool2d(hi, geo, out, idx);
                        cl.maxPool2d(di, geo, dOut, dIdx);
                        assertMatches("maxPool2d " + what, out, dOut, 0, 0);
                        assertMatches("maxPool2d indices " + what, idx, dIdx, 0, 0);

                        NDArray gradOut = OpenClTesting.randn(size + 1, DType.FLOAT64, 2, 3, outH, outW).to(dtype);
                        NDArray expected = NDArray.zeros(dtype, input.shape());
                        NDArray actual = View.SPACED.of(NDArray.zeros(dtype, cl.device(), input.shape()).add(7)); // overwritten, not added to
                        REFERENCE.maxPool2dBackward(view.of(gradOut), idx, expected);
                        cl.maxPool2dBackward(view.of(gradOut.to(cl.device())), dIdx, actual);
                        assertMatches("maxPool2dBackward " + what, expected, actual, 1e-6, 1e-6);

                        REFERENCE.avgPool2d(hi, geo, out);
                        cl.avgPool2d(di, geo, dOut);
                        assertMatches("avgPool2d " + what, out, dOut, 1e-6, 1e-6);

                        REFERENCE.avgPool2dBackward(view.of(gradOut), geo, expected);
                        cl.avgPool2dBackward(view.of(gradOut.to(cl.device())), geo, actual);
                        assertMatches("avgPool2dBackward " + what, expected, actual, 1e-6, 1e-6);
                    }
                }
            }
        }
    }
}
