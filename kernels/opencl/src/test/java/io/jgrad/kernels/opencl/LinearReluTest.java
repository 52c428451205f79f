package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.opencl.OpenClTesting.View;
import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Linear layer with its ReLU ({@code NDArray.linearRelu}: the product, then the bias and the ReLU in one add_bias
 * launch) against the reference backend: odd sizes, input, weight and bias through every view, no bias, float32 and
 * float64, NaN and infinite sums; and its launch count, the product's plus one.
 */
class LinearReluTest {

    private static final int[][] SIZES = {{1, 1, 1}, {7, 13, 5}, {33, 70, 129}, {128, 3136, 128}, {5, 2, 300}};

    @Test
    void matchesTheReferenceOnEveryView() {
        Device gpu = OpenClTesting.device();
        int seed = 0;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            if (dtype == DType.FLOAT64 && !OpenClTesting.runtime().info().fp64()) continue;
            for (int[] s : SIZES) {
                for (View view : View.values()) {
                    seed++;
                    NDArray x = OpenClTesting.randn(seed, dtype, s[0], s[1]), w = OpenClTesting.randn(seed + 100, dtype, s[2], s[1]);
                    NDArray b = seed % 3 == 0 ? null : OpenClTesting.randn(seed + 200, dtype, s[2]);
                    NDArray hx = view.of(x), hw = view.of(w), hb = b == null ? null : view.of(b);
                    NDArray expected = hx.linearRelu(hw, hb);
                    NDArray actual = view.of(x.to(gpu)).linearRelu(view.of(w.to(gpu)), b == null ? null : view.of(b.to(gpu)));
                    double tol = OpenClTesting.ulps(dtype) * 8 * Math.sqrt(s[1] + 1);
                    assertMatches(dtype + " " + s[0] + "x" + s[1] + " by " + s[2] + " " + view + (b == null ? " no bias" : ""), expected, actual, tol, tol);
                }
            }
        }
    }

    @Test
    void nanAndInfiniteSumsAndTheLaunchCount() {
        OpenClBackend cl = OpenClTesting.backend();
        NDArray x = OpenClTesting.randn(1, DType.FLOAT32, 4, 6), w = OpenClTesting.randn(2, DType.FLOAT32, 5, 6);
        NDArray bias = NDArray.of(new double[] {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, -0.0, 1e30}, 5).to(DType.FLOAT32);
        NDArray dx = x.to(cl.device()), dw = w.to(cl.device()), db = bias.to(cl.device());
        long before = cl.kernelLaunches();
        dx.matmul(dw.transpose(0, 1));
        long productLaunches = cl.kernelLaunches() - before;
        before = cl.kernelLaunches();
        NDArray actual = dx.linearRelu(dw, db);
        assertEquals(productLaunches + 1, cl.kernelLaunches() - before, "the bias and the ReLU in one launch after the product");
        assertMatches("linearRelu, NaN and infinite bias", x.linearRelu(w, bias), actual, 1e-5, 1e-5);
        double[] a = actual.to(Device.CPU).toDoubleArray();
        assertTrue(Double.isNaN(a[0]), "NaN stays NaN");
        assertEquals(0L, Double.doubleToRawLongBits(a[1]), "ReLU of -inf is +0");
        assertEquals(Double.POSITIVE_INFINITY, a[2], "+inf stays");
    }
}
