package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.Closeness;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Class-index cross-entropy runs as one fused node ({@code Tensor.crossEntropy}); with class weights that
 * require a gradient it is still the composition (log-softmax, gather, masks, weighted mean). The two must give
 * the same values and input gradients for every reduction, weights or none, ignored rows (the default index and
 * one inside the classes), label smoothing, rank 1, 2 and 3, float32 and float64.
 */
class FusedCrossEntropyTest {

    @Test
    void theFusedNodeIsTheComposition() {
        Generator gen = new Generator(7);
        int[][] shapes = {{6, 5}, {3, 4, 2}, {5}, {1, 1}};
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            double tol = dtype == DType.FLOAT64 ? 1e-12 : 2e-6;
            for (int[] shape : shapes) {
                int classes = shape.length == 1 ? shape[0] : shape[1];
                for (Reduction reduction : Reduction.values()) {
                    for (int ignore : new int[] {-100, classes > 1 ? 1 : 0}) {
                        for (boolean weighted : new boolean[] {false, true}) {
                            for (double eps : new double[] {0, 0.25}) {
                                NDArray x = NDArray.randn(gen, DType.FLOAT64, shape).mul(3).to(dtype);
                                NDArray target = targets(gen, shape, classes, ignore);
                                NDArray w = weighted ? NDArray.rand(gen, DType.FLOAT64, classes).add(0.5).to(dtype) : NDArray.ones(dtype, classes);
                                String what = dtype + " " + java.util.Arrays.toString(shape) + " " + reduction + " ignore " + ignore
                                        + (weighted ? " weighted" : "") + " eps " + eps;
                                compare(what, x, target, weighted ? w : null, w, ignore, reduction, eps, tol);
                            }
                        }
                    }
                }
            }
        }
    }

    /** fused (weight as given, no gradient) against the composition (the same weights, all ones for none, learned). */
    private static void compare(String what, NDArray x, NDArray target, NDArray weight, NDArray learnedWeights, int ignore,
                                Reduction reduction, double eps, double tol) {
        Tensor xf = Tensor.parameter(x), xc = Tensor.parameter(x);
        Tensor fused = Losses.crossEntropy(xf, Tensor.of(target), weight == null ? null : Tensor.of(weight), ignore, reduction, eps);
        Tensor composed = Losses.crossEntropy(xc, Tensor.of(target), Tensor.parameter(learnedWeights), ignore, reduction, eps);
        assertEquals(x.rank() == 1 && reduction == Reduction.NONE ? "RESHAPE" : "CROSS_ENTROPY", fused.gradFn(), what);   // one sample: squeezed
        assertClose(what + ": loss", composed.data(), fused.data(), tol);
        NDArray g = NDArray.randn(new Generator(1), DType.FLOAT64, fused.shape()).to(x.dtype());
        fused.backward(g);
        composed.backward(g);
        assertClose(what + ": input gradient", xc.grad(), xf.grad(), tol);
    }

    private static void assertClose(String what, NDArray expected, NDArray actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        String mismatch = Closeness.firstMismatch(expected, actual, tol, tol);
        assertNull(mismatch, what + ": " + mismatch);
    }

    /** Random targets of the input's shape without the class dim, every third at the ignore index. */
    private static NDArray targets(Generator gen, int[] shape, int classes, int ignore) {
        int[] rows = shape.length == 1 ? new int[0] : new int[shape.length - 1];
        for (int d = 0, k = 0; d < shape.length && shape.length > 1; d++) if (d != 1) rows[k++] = shape[d];
        long[] t = NDArray.randint(gen, 0, classes, rows).reshape(-1).toLongArray();
        for (int i = 1; i < t.length; i += 3) t[i] = ignore;
        return NDArray.of(t, rows);
    }

    @Test
    void everyTargetIgnoredGivesANaNMeanAndZeroGradients() {
        Tensor x = Tensor.parameter(NDArray.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        Tensor loss = Losses.crossEntropy(x, Tensor.of(NDArray.of(new long[] {-100, -100}, 2)), null, -100, Reduction.MEAN, 0.1);
        assertTrue(Double.isNaN(loss.item()), "0/0: " + loss.item());
        loss.backward();
        assertArrayEquals(new double[6], x.grad().toDoubleArray(), 0);
        Tensor sum = Losses.crossEntropy(Tensor.of(NDArray.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3)),
                Tensor.of(NDArray.of(new long[] {-100, -100}, 2)), null, -100, Reduction.SUM, 0);
        assertEquals(0, sum.item());
    }

    @Test
    void anEmptyBatch() {
        Tensor x = Tensor.parameter(NDArray.zeros(DType.FLOAT32, 0, 4));
        Tensor target = Tensor.of(NDArray.of(new long[0], 0));
        assertTrue(Double.isNaN(Losses.crossEntropy(x, target, null, -100, Reduction.MEAN, 0).item()));
        Tensor sum = Losses.crossEntropy(x, target, null, -100, Reduction.SUM, 0);
        assertEquals(0, sum.item());
        sum.backward();
        assertArrayEquals(new int[] {0, 4}, x.grad().shape());
        assertArrayEquals(new int[] {0}, Losses.crossEntropy(x, target, null, -100, Reduction.NONE, 0).shape());
    }

    /** Worked by hand: logits [0, ln 3] (softmax 1/4, 3/4), target 1, weight 2 on class 1, ε = 0.5. */
    @Test
    void aRowByHand() {
        double ln3 = Math.log(3), ln4 = Math.log(4);
        Tensor x = Tensor.parameter(NDArray.of(new double[] {0, ln3}, 1, 2));
        Tensor weight = Tensor.of(NDArray.of(new double[] {1, 2}, 2));
        Tensor loss = Losses.crossEntropy(x, Tensor.of(NDArray.of(new long[] {1}, 1)), weight, -100, Reduction.SUM, 0.5);
        // logp = [-ln 4, ln 3 - ln 4]; nll = -2·(ln 3 - ln 4); uniform = -(1·(-ln 4) + 2·(ln 3 - ln 4))
        double nll = -2 * (ln3 - ln4), uniform = ln4 - 2 * (ln3 - ln4);
        assertEquals(0.5 * nll + 0.5 / 2 * uniform, loss.item(), 1e-12);
        loss.backward();
        // d/dx_c = (1-ε)·w_t·(p_c - [c = t]) + ε/C·(W·p_c - w_c), W = 3
        double[] p = {0.25, 0.75};
        double[] expected = {0.5 * 2 * p[0] + 0.25 * (3 * p[0] - 1), 0.5 * 2 * (p[1] - 1) + 0.25 * (3 * p[1] - 2)};
        assertArrayEquals(expected, x.grad().toDoubleArray(), 1e-12);
    }

    /** The array-level op checks its arguments and names the op and the shapes. */
    @Test
    void badArgumentsNameTheOpAndTheShapes() {
        NDArray x = NDArray.zeros(DType.FLOAT32, 4, 3);
        io.jgrad.tensor.spi.CrossEntropyParams p = new io.jgrad.tensor.spi.CrossEntropyParams(-100, 0);
        assertEquals("crossEntropy: expected target [4] for input shape [4, 3], got shape [3]",
                assertThrows(IllegalArgumentException.class, () -> x.crossEntropy(NDArray.of(new long[3], 3), null, p)).getMessage());
        assertEquals("crossEntropy: expected int64 class indices as target, got float32 of shape [4]",
                assertThrows(IllegalArgumentException.class, () -> x.crossEntropy(NDArray.zeros(DType.FLOAT32, 4), null, p)).getMessage());
        assertEquals("crossEntropy: weight has shape [4], expected [3]",
                assertThrows(IllegalArgumentException.class, () -> x.crossEntropy(NDArray.of(new long[4], 4), NDArray.zeros(DType.FLOAT32, 4), p)).getMessage());
        assertEquals("crossEntropy: expected logits [N, C, ...], got shape [3]",
                assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(DType.FLOAT32, 3).crossEntropy(NDArray.of(new long[0], 0), null, p)).getMessage());
        assertEquals("crossEntropy: the logits have no classes (shape [4, 0])",
                assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(DType.FLOAT32, 4, 0).crossEntropy(NDArray.of(new long[4], 4), null, p)).getMessage());
        assertEquals("crossEntropy: labelSmoothing must be in [0, 1], got 1.5",
                assertThrows(IllegalArgumentException.class, () -> new io.jgrad.tensor.spi.CrossEntropyParams(-100, 1.5)).getMessage());
        NDArray[] rows = x.crossEntropy(NDArray.of(new long[4], 4), null, p);
        assertEquals("crossEntropyBackward: gradLoss has shape [3], expected [4]", assertThrows(IllegalArgumentException.class,
                () -> x.crossEntropyBackward(NDArray.of(new long[4], 4), null, p, rows[1], NDArray.zeros(DType.FLOAT32, 3), null)).getMessage());
    }

    @Test
    void aTargetOutsideTheClassesNamesItAndTheClassCount() {
        Tensor x = Tensor.of(NDArray.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        for (long bad : new long[] {3, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Losses.crossEntropy(x, Tensor.of(NDArray.of(new long[] {0, bad}, 2))));
            assertEquals("crossEntropy: target " + bad + " is out of range for 3 classes", e.getMessage());
        }
    }
}
