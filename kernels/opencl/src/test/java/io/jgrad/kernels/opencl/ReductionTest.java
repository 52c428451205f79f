package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;
import io.jgrad.tensor.spi.ReduceOp;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.opencl.OpenClTesting.REFERENCE;
import static io.jgrad.kernels.opencl.OpenClTesting.SIZES;
import static io.jgrad.kernels.opencl.OpenClTesting.View;
import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;

/** reduce (every op, any reduced dims), argReduce and softmax against the reference backend. */
class ReductionTest {

    private static final int[][] DIM_SETS = {{0}, {1}, {2}, {0, 2}, {0, 1, 2}};

    @Test
    void reductionsOverAnyDimsMatchTheReference() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : DType.values()) {
            for (int n : SIZES) {
                for (View view : View.values()) {
                    if (view != View.CONTIGUOUS && dtype != DType.FLOAT32 && n > 257) continue; // keeps the suite short; strides are dtype-blind
                    NDArray x = OpenClTesting.randn(n, DType.FLOAT64, 3, n, 2).mul(3).to(dtype);
                    NDArray hx = view.of(x), dx = view.of(x.to(cl.device()));
                    for (int[] dims : DIM_SETS) {
                        int[] outShape = Shapes.keepDims(x.shape(), dims);
                        int len = x.numel() / Shapes.numel(outShape);
                        for (ReduceOp op : ReduceOp.values()) {
                            if (op == ReduceOp.MEAN && dtype == DType.INT64) continue;
                            NDArray expected = NDArray.zeros(dtype, outShape), actual = NDArray.zeros(dtype, cl.device(), outShape);
                            REFERENCE.reduce(op, hx, expected);
                            cl.reduce(op, dx, actual);
                            // Sums round once per addition in the device's dtype: tolerance grows with the length.
                            double tol = dtype == DType.FLOAT32 ? 1e-6 * len : dtype == DType.FLOAT64 ? 1e-14 * len : 0;
                            assertMatches(op + " " + dtype + " dims " + java.util.Arrays.toString(dims) + " n=" + n + " " + view,
                                    expected, actual, tol, 3 * tol);
                        }
                    }
                }
            }
        }
    }

    @Test
    void maxAndMinPropagateNaN() {
        OpenClBackend cl = OpenClTesting.backend();
        for (int n : new int[] {3, 300}) {
            NDArray x = OpenClTesting.randn(1, DType.FLOAT32, 2, n);
            double[] v = x.toDoubleArray();
            v[n / 2] = Double.NaN;
            x = NDArray.of(v, 2, n).to(DType.FLOAT32);
            for (ReduceOp op : new ReduceOp[] {ReduceOp.AMAX, ReduceOp.AMIN, ReduceOp.SUM}) {
                NDArray expected = NDArray.zeros(2, 1), actual = NDArray.zeros(DType.FLOAT32, cl.device(), 2, 1);
                REFERENCE.reduce(op, x, expected);
                cl.reduce(op, x.to(cl.device()), actual);
                assertMatches(op + " with NaN n=" + n, expected, actual, 1e-4, 1e-4);
            }
        }
    }

    @Test
    void argMaxAndArgMinMatchTheReference() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : DType.values()) {
            for (int n : SIZES) {
                for (View view : View.values()) {
                    // Few distinct values, so ties are common and "first one wins" is tested.
                    NDArray x = OpenClTesting.randn(n, DType.FLOAT64, 3, n).mul(2).to(DType.INT64).to(dtype);
                    NDArray hx = view.of(x), dx = view.of(x.to(cl.device()));
                    for (int dim = 0; dim < 2; dim++) {
                        for (boolean max : new boolean[] {true, false}) {
                            int[] outShape = Shapes.keepDims(x.shape(), new int[] {dim});
                            NDArray expected = NDArray.zeros(DType.INT64, outShape), actual = NDArray.zeros(DType.INT64, cl.device(), outShape);
                            REFERENCE.argReduce(max, hx, dim, expected);
                            cl.argReduce(max, dx, dim, actual);
                            assertMatches((max ? "argmax " : "argmin ") + dtype + " dim " + dim + " n=" + n + " " + view, expected, actual, 0, 0);
                        }
                    }
                }
            }
        }
    }

    @Test
    void softmaxAndLogSoftmaxAlongAnyDim() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int n : SIZES) {
                for (View view : View.values()) {
                    NDArray x = OpenClTesting.randn(n, DType.FLOAT64, 3, n).mul(5).to(dtype);
                    NDArray hx = view.of(x), dx = view.of(x.to(cl.device()));
                    for (int dim = 0; dim < 2; dim++) {
                        for (boolean log : new boolean[] {false, true}) {
                            NDArray expected = NDArray.zeros(dtype, 3, n), actual = View.TRANSPOSED.of(NDArray.zeros(dtype, cl.device(), 3, n));
                            REFERENCE.softmax(hx, dim, log, expected);
                            cl.softmax(dx, dim, log, actual);
                            double tol = (dtype == DType.FLOAT32 ? 1e-6 : 1e-14) * Math.max(3, n);
                            assertMatches((log ? "logSoftmax " : "softmax ") + dtype + " dim " + dim + " n=" + n + " " + view, expected, actual, tol, tol);
                        }
                    }
                }
            }
        }
        NDArray ninf = NDArray.of(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 1, 2);
        NDArray expected = NDArray.zeros(1, 2), actual = NDArray.zeros(DType.FLOAT32, cl.device(), 1, 2);
        REFERENCE.softmax(ninf, 1, false, expected);
        cl.softmax(ninf.to(cl.device()), 1, false, actual);
        assertMatches("softmax of a row of -inf", expected, actual, 0, 0);
    }
}
