package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.SIZES;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.assertBitwise;
import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;

import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ReduceOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Vector reductions and softmax against the reference, with tolerances that grow with the reduction length. */
class VectorReductionsTest {

    private final Generator gen = new Generator(5);

    /** {@code out} shaped like {@code x} with size 1 in {@code dims}. */
    private static NDArray keepShape(NDArray x, int... dims) {
        int[] shape = x.shape();
        for (int d : dims) shape[d] = 1;
        return zeros(shape);
    }

    private static void check(ReduceOp op, NDArray x, String what, int... dims) {
        NDArray expected = keepShape(x, dims), actual = keepShape(x, dims), scale = keepShape(x, dims);
        REFERENCE.reduce(op, x, expected);
        VECTOR.reduce(op, x, actual);
        if (op == ReduceOp.AMAX || op == ReduceOp.AMIN) {
            assertBitwise(expected, actual, what);
            return;
        }
        REFERENCE.reduce(op, x.abs(), scale);
        int length = x.numel() / Math.max(1, expected.numel());
        VectorChecks.assertClose(expected, actual, scale, 1e-6 * Math.sqrt(length) + 1e-7, what);
    }

    @ParameterizedTest
    @EnumSource(ReduceOp.class)
    void everyLayoutAtEverySize(ReduceOp op) {
        for (int n : SIZES) {
            String at = op + " n=" + n;
            check(op, randn(gen, n), at + " all", 0);
            check(op, randn(gen, 5, n), at + " rows", 1);
            check(op, randn(gen, n, 5), at + " columns", 0);
            check(op, randn(gen, 3, n, 2), at + " middle kept", 0, 2);
            check(op, randn(gen, 2, n, 3), at + " middle reduced", 1);
            check(op, randn(gen, 2, 3, n, 4), at + " all of rank 4", 0, 1, 2, 3);
            check(op, VectorChecks.transposed(randn(gen, 5, n)), at + " transposed (reference path)", 1);
        }
        check(op, randn(gen, 128, 32, 14, 14), op + " conv bias layout", 0, 2, 3);
        check(op, randn(gen, 700_001), op + " long, in chunks", 0);
    }

    @Test
    void nanPropagatesThroughMaxAndMin() {
        NDArray x = randn(gen, 3, 100);
        x.set(Double.NaN, 1, 37);
        check(ReduceOp.AMAX, x, "amax rows", 1);
        check(ReduceOp.AMIN, x, "amin columns", 0);
        check(ReduceOp.AMAX, x, "amax all", 0, 1);
    }

    @Test
    void sameBitsForEveryThreadCount() {
        NDArray x = randn(gen, 1_000_003);
        NDArray one = zeros(1), three = zeros(1);
        new VectorBackend(1).reduce(ReduceOp.SUM, x, one);
        new VectorBackend(3).reduce(ReduceOp.SUM, x, three);
        assertBitwise(one, three, "sum, 1 vs 3 threads");
        NDArray rows = randn(gen, 1000, 999), r1 = zeros(1000, 1), r3 = zeros(1000, 1);
        new VectorBackend(1).reduce(ReduceOp.SUM, rows, r1);
        new VectorBackend(3).reduce(ReduceOp.SUM, rows, r3);
        assertBitwise(r1, r3, "row sums, 1 vs 3 threads");
    }

    /**
     * Reductions over the leading dims with fewer blocks than threads ({@code [1, rows, n]}, {@code [2, rows, n]}) are
     * split into column strips: against the reference at odd sizes, and the same bits for 1, 2 and 3 threads.
     */
    @ParameterizedTest
    @EnumSource(ReduceOp.class)
    void columnStripsMatchTheReferenceWithTheSameBitsForEveryThreadCount(ReduceOp op) {
        VectorBackend[] backends = {new VectorBackend(1), new VectorBackend(2), new VectorBackend(3)};
        int[][] shapes = {{257, 1021}, {1021, 257}, {33, 4099}, {2, 129, 1021}, {3, 255, 257}};
        for (int[] shape : shapes) {
            NDArray x = randn(gen, shape);
            int[] dims = shape.length == 2 ? new int[] {0} : new int[] {1};
            String at = op + " " + java.util.Arrays.toString(shape) + " over " + java.util.Arrays.toString(dims);
            check(op, x, at, dims);
            NDArray first = keepShape(x, dims);
            backends[0].reduce(op, x, first);
            for (VectorBackend b : backends) {
                NDArray out = keepShape(x, dims);
                b.reduce(op, x, out);
                assertBitwise(first, out, at + ", 1 vs " + b.threads() + " threads");
            }
            check(op, VectorChecks.transposed(x), at + " transposed (reference path)", dims);
        }
    }

    @Test
    void emptyAndZeroDimReductions() {
        NDArray empty = zeros(0, 5);
        assertBitwise(zeros(5), empty.sum(0), "sum over an empty dim");
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {0}, empty.sum(1).shape(), "sum of an empty array over its other dim");
        NDArray scalar = NDArray.scalar(io.jgrad.tensor.DType.FLOAT32, 2.5);
        for (ReduceOp op : ReduceOp.values()) {
            NDArray expected = zeros(), actual = zeros();
            REFERENCE.reduce(op, scalar, expected);
            new VectorBackend(3).reduce(op, scalar, actual);
            assertBitwise(expected, actual, op + " of a 0-d array");
        }
    }

    private static void checkSoftmax(NDArray x, int dim, boolean log, String what) {
        NDArray expected = zeros(x.shape()), actual = zeros(x.shape());
        REFERENCE.softmax(x, dim, log, expected);
        VECTOR.softmax(x, dim, log, actual);
        VectorChecks.assertClose(expected, actual, 1e-5, log ? 1e-5 : 1e-7, what);
        NDArray inPlace = x.copy(), into = zeros(x.shape()); // out may be x, as for the reference: the same bits as into another array
        VECTOR.softmax(inPlace, dim, log, into);
        VECTOR.softmax(inPlace, dim, log, inPlace);
        assertBitwise(into, inPlace, what + " in place");
    }

    @Test
    void softmaxAndLogSoftmaxAtEverySize() {
        for (int n : SIZES) {
            for (boolean log : new boolean[] {false, true}) {
                String at = (log ? "log_softmax" : "softmax") + " n=" + n;
                checkSoftmax(randn(gen, 4, n).mul(5), 1, log, at);
                checkSoftmax(randn(gen, n, 3), 0, log, at + " over dim 0 (reference path)");
                checkSoftmax(VectorChecks.spaced(randn(gen, 2, n)), 1, log, at + " strided (reference path)");
            }
        }
    }

    @Test
    void softmaxOfInfinitiesAndNaN() {
        float inf = Float.POSITIVE_INFINITY;
        NDArray x = NDArray.of(new float[] {-inf, -inf, -inf, 1, -inf, 2, 0, Float.NaN, 1, inf, 0, 1}, 4, 3);
        checkSoftmax(x, 1, false, "softmax");
        checkSoftmax(x, 1, true, "log_softmax");
    }
}
