package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.cpu.NDArrayAssert.assertRejects;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertShape;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertValues;
import static io.jgrad.kernels.cpu.NDArrayAssert.f64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** softmax and log_softmax along every dim, with extreme inputs, as torch.softmax / torch.log_softmax. */
class SoftmaxTest {

    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    /** exp(x_i) / sum_j exp(x_j) along {@code dim}, straight from the definition (inputs must be moderate). */
    private static void checkAgainstDefinition(NDArray x, int dim) {
        NDArray soft = x.softmax(dim), logSoft = x.logSoftmax(dim);
        assertShape(soft, x.shape());
        int[] shape = x.shape();
        int d = dim < 0 ? dim + shape.length : dim;
        int n = x.numel();
        int[] idx = new int[shape.length];
        for (int flat = 0; flat < n; flat++) {
            int rem = flat;
            for (int k = shape.length - 1; k >= 0; k--) {
                idx[k] = rem % shape[k];
                rem /= shape[k];
            }
            double sum = 0;
            int[] j = idx.clone();
            for (int k = 0; k < shape[d]; k++) {
                j[d] = k;
                sum += Math.exp(x.get(j));
            }
            double expected = Math.exp(x.get(idx)) / sum;
            assertEquals(expected, soft.get(idx), 1e-15, "softmax dim " + dim);
            assertEquals(Math.log(expected), logSoft.get(idx), 1e-13, "logSoftmax dim " + dim);
        }
        // every slice along dim sums to one
        NDArray sums = soft.sum(dim);
        for (double s : sums.toDoubleArray()) assertEquals(1.0, s, 1e-14);
    }

    @Test
    void softmaxAlongEveryDim() {
        NDArray x = NDArray.randn(new Generator(3), DType.FLOAT64, 2, 3, 4);
        for (int dim = -3; dim < 3; dim++) checkAgainstDefinition(x, dim);
    }

    @Test
    void softmaxOfNonContiguousInputs() {
        NDArray base = NDArray.randn(new Generator(4), DType.FLOAT64, 4, 3, 5);
        checkAgainstDefinition(base.permute(2, 0, 1), 0);
        checkAgainstDefinition(base.permute(2, 0, 1), 2);
        checkAgainstDefinition(base.slice(2, 0, 5, 2).transpose(0, 1), 1);
        checkAgainstDefinition(f64(new double[] {1, 2, 3}, 3, 1).expand(3, 4), 0);
    }

    @Test
    void smallKnownValues() {
        NDArray x = f64(new double[] {0, Math.log(3)}, 2);
        assertValues(x.softmax(0), new int[] {2}, new double[] {0.25, 0.75}, 1e-15);
        assertValues(x.logSoftmax(0), new int[] {2}, new double[] {Math.log(0.25), Math.log(0.75)}, 1e-15);
        assertValues(NDArray.ones(DType.FLOAT64, 2, 4).softmax(1), new int[] {2, 4},
                0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25);
    }

    @Test
    void largeValuesDoNotOverflow() {
        NDArray big = f64(new double[] {1000, 1001, 1002}, 3);
        NDArray small = f64(new double[] {0, 1, 2}, 3);
        assertValues(big.softmax(0), new int[] {3}, small.softmax(0).toDoubleArray(), 1e-15);
        assertValues(big.logSoftmax(0), new int[] {3}, small.logSoftmax(0).toDoubleArray(), 1e-13);
        NDArray negative = f64(new double[] {-1000, -1001, -1002}, 3);
        assertValues(negative.softmax(0), new int[] {3}, small.neg().softmax(0).toDoubleArray(), 1e-15);
        NDArray spread = f64(new double[] {1000, 0, -1000}, 3);
        assertValues(spread.softmax(0), new int[] {3}, 1, 0, 0);
        assertValues(spread.logSoftmax(0), new int[] {3}, new double[] {0, -1000, -2000}, 1e-12);

        NDArray big32 = NDArray.of(new float[] {1000, 1000, 3000, -3000}, 2, 2);
        for (double v : big32.softmax(1).toDoubleArray()) assertTrue(Double.isFinite(v), "float32 softmax " + v);
        assertValues(big32.softmax(1), new int[] {2, 2}, 0.5, 0.5, 1, 0);
        assertValues(big32.logSoftmax(1), new int[] {2, 2}, new double[] {Math.log(0.5), Math.log(0.5), 0, -6000}, 1e-6);
        assertEquals(DType.FLOAT32, big32.softmax(0).dtype());
    }

    @Test
    void negativeInfinityEntriesGetZeroProbability() {
        NDArray x = f64(new double[] {NEG_INF, 0, 0, NEG_INF, 5, NEG_INF}, 2, 3);
        assertValues(x.softmax(1), new int[] {2, 3}, 0, 0.5, 0.5, 0, 1, 0);
        assertValues(x.logSoftmax(1), new int[] {2, 3}, new double[] {NEG_INF, Math.log(0.5), Math.log(0.5), NEG_INF, 0, NEG_INF}, 1e-15);
    }

    @Test
    void rowsOfOnlyNegativeInfinityAreNaNAndLeaveOtherRowsAlone() {
        // torch.softmax(torch.full((3,), -inf), 0) is all nan (0 / 0); the other rows are unaffected.
        NDArray x = f64(new double[] {NEG_INF, NEG_INF, NEG_INF, 1, 2, 3}, 2, 3);
        NDArray s = x.softmax(1), ls = x.logSoftmax(1);
        for (int j = 0; j < 3; j++) {
            assertTrue(Double.isNaN(s.get(0, j)), "softmax of a -inf row");
            assertTrue(Double.isNaN(ls.get(0, j)), "logSoftmax of a -inf row");
        }
        assertValues(s.select(0, 1), new int[] {3}, f64(new double[] {1, 2, 3}, 3).softmax(0).toDoubleArray(), 0);
        // along dim 0 each column has one finite entry: probability one there
        assertValues(x.softmax(0), new int[] {2, 3}, 0, 0, 0, 1, 1, 1);
    }

    @Test
    void nanAndPositiveInfinityPoisonTheirRow() {
        NDArray x = f64(new double[] {1, Double.NaN, 2, 1, Double.POSITIVE_INFINITY, 2, 0, 0, 0}, 3, 3);
        NDArray s = x.softmax(1);
        for (int j = 0; j < 3; j++) {
            assertTrue(Double.isNaN(s.get(0, j)));
            assertTrue(Double.isNaN(s.get(1, j)));
            assertEquals(1.0 / 3, s.get(2, j), 1e-15);
        }
    }

    @Test
    void zeroDimAndEmptyInputs() {
        assertValues(NDArray.scalar(DType.FLOAT64, 7).softmax(0), new int[] {}, 1);
        assertValues(NDArray.scalar(DType.FLOAT64, 7).logSoftmax(-1), new int[] {}, 0);
        assertShape(NDArray.zeros(0, 3).softmax(0), 0, 3);
        assertShape(NDArray.zeros(0, 3).softmax(1), 0, 3);
    }

    @Test
    void softmaxRejectsIntegersAndBadDims() {
        assertRejects(() -> NDArray.arange(3).softmax(0), "softmax", "int64", "[3]");
        assertRejects(() -> NDArray.arange(3).logSoftmax(0), "logSoftmax", "int64");
        assertRejects(() -> NDArray.zeros(2, 3).softmax(2), "softmax", "dim 2", "rank 2");
        assertRejects(() -> NDArray.zeros(2, 3).logSoftmax(-3), "logSoftmax", "dim -3");
    }
}
