package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.jgrad.kernels.cpu.NDArrayAssert.assertRejects;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertShape;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertValues;
import static io.jgrad.kernels.cpu.NDArrayAssert.f64;
import static io.jgrad.kernels.cpu.NDArrayAssert.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sum/mean/amax/amin/var/argmax/argmin over any set of dims, with and without keepdim, as torch does. */
class ReductionTest {

    private enum Kind { SUM, MEAN, AMAX, AMIN }

    /** The reduction of {@code x} over the dims flagged in {@code mask}, in keepdim shape, by brute force. */
    private static double[] naive(Kind kind, NDArray x, boolean[] mask) {
        int[] shape = x.shape();
        int[] outShape = shape.clone();
        for (int d = 0; d < shape.length; d++) if (mask[d]) outShape[d] = 1;
        int outCount = 1;
        for (int s : outShape) outCount *= s;
        double[] acc = new double[outCount];
        double[] count = new double[outCount];
        Arrays.fill(acc, kind == Kind.AMAX ? Double.NEGATIVE_INFINITY : kind == Kind.AMIN ? Double.POSITIVE_INFINITY : 0);
        int[] idx = new int[shape.length];
        for (int flat = 0; flat < x.numel(); flat++) {
            int rem = flat;
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d] = rem % shape[d];
                rem /= shape[d];
            }
            int o = 0;
            for (int d = 0; d < shape.length; d++) o = o * outShape[d] + (mask[d] ? 0 : idx[d]);
            double v = x.get(idx);
            switch (kind) {
                case SUM, MEAN -> acc[o] += v;
                case AMAX -> acc[o] = Math.max(acc[o], v);
                case AMIN -> acc[o] = Math.min(acc[o], v);
            }
            count[o]++;
        }
        if (kind == Kind.MEAN) for (int o = 0; o < outCount; o++) acc[o] /= count[o];
        return acc;
    }

    private static NDArray reduce(Kind kind, NDArray x, int[] dims, boolean keepdim) {
        return switch (kind) {
            case SUM -> x.sum(dims, keepdim);
            case MEAN -> x.mean(dims, keepdim);
            case AMAX -> x.amax(dims, keepdim);
            case AMIN -> x.amin(dims, keepdim);
        };
    }

    /** Every non-empty subset of dims of a rank-3 input, with positive and negative spellings, both keepdims. */
    private static void checkAllSubsets(NDArray x) {
        int rank = x.rank();
        for (Kind kind : Kind.values()) {
            for (int mask = 1; mask < (1 << rank); mask++) {
                boolean[] flags = new boolean[rank];
                List<Integer> dims = new ArrayList<>();
                for (int d = 0; d < rank; d++) {
                    if ((mask & (1 << d)) != 0) {
                        flags[d] = true;
                        dims.add(d);
                    }
                }
                double[] expected = naive(kind, x, flags);
                int[] positive = dims.stream().mapToInt(Integer::intValue).toArray();
                int[] negativeReversed = new int[positive.length];
                for (int i = 0; i < positive.length; i++) negativeReversed[i] = positive[positive.length - 1 - i] - rank;
                int[] keepShape = x.shape();
                List<Integer> kept = new ArrayList<>();
                for (int d = 0; d < rank; d++) {
                    if (flags[d]) keepShape[d] = 1;
                    else kept.add(x.shape(d));
                }
                int[] dropShape = kept.stream().mapToInt(Integer::intValue).toArray();
                String what = kind + " over " + dims + " of " + Arrays.toString(x.shape());
                NDArray withKeepdim = reduce(kind, x, positive, true);
                assertArrayEquals(keepShape, withKeepdim.shape(), what);
                assertArrayEquals(expected, withKeepdim.toDoubleArray(), 1e-12, what);
                NDArray dropped = reduce(kind, x, negativeReversed, false);
                assertArrayEquals(dropShape, dropped.shape(), what + " (keepdim=false, negative dims)");
                assertArrayEquals(expected, dropped.toDoubleArray(), 1e-12, what);
            }
        }
    }

    @Test
    void everySubsetOfDimsOnAContiguousInput() {
        checkAllSubsets(NDArray.randn(new Generator(7), DType.FLOAT64, 2, 3, 4));
    }

    @Test
    void everySubsetOfDimsOnNonContiguousInputs() {
        NDArray base = NDArray.randn(new Generator(8), DType.FLOAT64, 4, 5, 6);
        checkAllSubsets(base.permute(2, 0, 1));
        checkAllSubsets(base.slice(0, 1, 4, 2).slice(2, 0, 6, 3).transpose(0, 1));
        checkAllSubsets(f64(new double[] {1, -2, 3}, 3, 1, 1).expand(3, 2, 4));
    }

    @Test
    void fullReductionsGiveZeroDimArrays() {
        NDArray x = iota(2, 3);
        assertValues(x.sum(), new int[] {}, 15);
        assertValues(x.mean(), new int[] {}, 2.5);
        assertValues(x.amax(), new int[] {}, 5);
        assertValues(x.amin(), new int[] {}, 0);
        assertValues(x.sum(null, true), new int[] {1, 1}, 15);
        assertValues(x.sum(new int[0], false), new int[] {}, 15);
        assertValues(x.sum(new int[] {0, 1}, false), new int[] {}, 15);
    }

    @Test
    void singleDimOverloads() {
        NDArray x = iota(2, 3);
        assertValues(x.sum(0), new int[] {3}, 3, 5, 7);
        assertValues(x.sum(-1), new int[] {2}, 3, 12);
        assertValues(x.sum(1, true), new int[] {2, 1}, 3, 12);
        assertValues(x.mean(0), new int[] {3}, 1.5, 2.5, 3.5);
        assertValues(x.mean(1, true), new int[] {2, 1}, 1, 4);
        assertValues(x.amax(0, false), new int[] {3}, 3, 4, 5);
        assertValues(x.amin(-1, true), new int[] {2, 1}, 0, 3);
    }

    @Test
    void reductionsOfZeroDimArraysAcceptDimZero() {
        // torch.tensor(5.).sum(0) == tensor(5.); dim 0 and -1 both name the only "dim" of a scalar.
        NDArray s = NDArray.scalar(DType.FLOAT64, 5);
        assertValues(s.sum(0), new int[] {}, 5);
        assertValues(s.sum(-1, true), new int[] {}, 5);
        assertValues(s.mean(0), new int[] {}, 5);
        assertValues(s.amax(0, false), new int[] {}, 5);
        assertValues(s.var(new int[] {0}, 0, false), new int[] {}, 0);
        assertValues(s.argmax(0, false), new int[] {}, 0);
        assertRejects(() -> s.sum(1), "sum", "dim 1");
    }

    @Test
    void sumKeepsInt64AndFloat32Dtypes() {
        NDArray ints = NDArray.of(new long[] {1, 2, 3, 4}, 2, 2);
        assertEquals(DType.INT64, ints.sum().dtype());
        assertValues(ints.sum(0), new int[] {2}, 4, 6);
        assertEquals(DType.FLOAT32, NDArray.ones(3).sum().dtype());
        assertEquals(DType.INT64, ints.amax().dtype());
    }

    /** The oracle's own promise (fast backends may round like PyTorch does): float32 sums accumulate in double. */
    @Test
    void referenceFloat32SumsAccumulateInDouble() {
        io.jgrad.tensor.Backends.use(ReferenceBackend.NAME);
        try {
            // 2^24 + 1 + 1 rounds back to 2^24 at every float32 step; the exact sum is representable.
            NDArray x = NDArray.of(new float[] {16777216f, 1f, 1f}, 3);
            assertEquals(16777218.0, x.sum().item());
            assertEquals(4.0, NDArray.full(0.1, 40).sum().item(), 1e-6);
        } finally {
            io.jgrad.tensor.Backends.use(null);
        }
    }

    @Test
    void emptyReductions() {
        NDArray e = NDArray.zeros(DType.FLOAT64, 0, 3);
        assertValues(e.sum(0), new int[] {3}, 0, 0, 0);
        assertShape(e.sum(1), 0);
        assertValues(e.sum(), new int[] {}, 0);
        // torch.zeros(0, 3).mean(0) is nan: 0 / 0
        assertValues(e.mean(0), new int[] {3}, Double.NaN, Double.NaN, Double.NaN);
        assertRejects(() -> e.amax(0, false), "amax", "empty", "[0, 3]");
        assertRejects(() -> e.amin(), "amin", "empty", "[0, 3]");
        assertShape(e.amax(1, true), 0, 1);
        assertRejects(() -> e.argmax(0, false), "argmax", "empty", "[0, 3]");
    }

    @Test
    void amaxAndAminPropagateNaN() {
        double nan = Double.NaN;
        NDArray x = f64(new double[] {1, nan, 3, 4, 5, 6, nan, -1, -2}, 3, 3);
        assertValues(x.amax(1, false), new int[] {3}, nan, 6, nan);
        assertValues(x.amin(1, false), new int[] {3}, nan, 4, nan);
        assertValues(x.amax(0, false), new int[] {3}, nan, nan, 6);
        assertValues(x.amin(0, false), new int[] {3}, nan, nan, -2);
        assertTrue(Double.isNaN(x.amax().item()));
        assertTrue(Double.isNaN(x.amin().item()));
        assertValues(x.sum(1), new int[] {3}, nan, 15, nan);
        // infinities are ordinary values
        NDArray inf = f64(new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, 2);
        assertEquals(Double.NEGATIVE_INFINITY, inf.amax().item());
        assertEquals(Double.NEGATIVE_INFINITY, inf.amin().item());
    }

    @Test
    void meanOfInt64IsRejected() {
        NDArray ints = NDArray.arange(6).reshape(2, 3);
        assertRejects(ints::mean, "mean", "int64", "[2, 3]");
        assertRejects(() -> ints.mean(0), "mean", "int64");
        assertRejects(() -> ints.var(), "var", "int64");
    }

    @Test
    void dimErrorsNameTheOp() {
        NDArray x = iota(2, 3);
        assertRejects(() -> x.sum(2), "sum", "dim 2", "rank 2");
        assertRejects(() -> x.mean(-3), "mean", "dim -3");
        assertRejects(() -> x.sum(new int[] {0, -2}, false), "sum", "more than once");
        assertRejects(() -> x.amax(new int[] {1, 1}, true), "amax", "more than once");
        assertRejects(() -> x.argmax(2, false), "argmax", "dim 2");
    }

    // ---- var ----------------------------------------------------------------------------------------

    @Test
    void varWithCorrectionZeroAndOne() {
        NDArray x = f64(new double[] {1, 2, 3, 4}, 4);
        assertValues(x.var(), new int[] {}, new double[] {5.0 / 3}, 1e-15);
        assertValues(x.var(null, 1, false), new int[] {}, new double[] {5.0 / 3}, 1e-15);
        assertValues(x.var(null, 0, false), new int[] {}, new double[] {1.25}, 1e-15);
        assertValues(x.var(new int[] {0}, 0, true), new int[] {1}, new double[] {1.25}, 1e-15);
    }

    @Test
    void varOverDimsMatchesTheDefinition() {
        NDArray x = NDArray.randn(new Generator(11), DType.FLOAT64, 3, 4, 5).transpose(0, 2); // [5, 4, 3], non-contiguous
        int[] dims = {0, 2};
        for (int correction : new int[] {0, 1}) {
            NDArray v = x.var(dims, correction, true);
            assertShape(v, 1, 4, 1);
            assertShape(x.var(dims, correction, false), 4);
            for (int j = 0; j < 4; j++) {
                double sum = 0, sumSq = 0;
                for (int i = 0; i < 5; i++) for (int k = 0; k < 3; k++) sum += x.get(i, j, k);
                double mean = sum / 15;
                for (int i = 0; i < 5; i++) for (int k = 0; k < 3; k++) sumSq += (x.get(i, j, k) - mean) * (x.get(i, j, k) - mean);
                assertEquals(sumSq / (15 - correction), v.get(0, j, 0), 1e-13, "correction " + correction + " column " + j);
            }
        }
    }

    @Test
    void varOfOneElementWithCorrectionOneIsNaN() {
        // torch.tensor([3.]).var() is nan (0 / 0).
        assertTrue(Double.isNaN(f64(new double[] {3}, 1).var().item()));
        assertEquals(0, f64(new double[] {3}, 1).var(null, 0, false).item());
    }

    // ---- argmax, argmin -----------------------------------------------------------------------------

    @Test
    void argmaxAndArgminPickTheFirstOfTies() {
        NDArray x = f64(new double[] {1, 3, 3, 2}, 4);
        assertEquals(1, x.argmax().getLong());
        assertEquals(DType.INT64, x.argmax().dtype());
        assertEquals(0, x.argmax().rank());
        NDArray y = f64(new double[] {2, 1, 1, 5}, 4);
        assertEquals(1, y.argmin().getLong());
        assertEquals(0, f64(new double[] {7, 7, 7}, 3).argmax().getLong());
        assertEquals(0, f64(new double[] {7, 7, 7}, 3).argmin().getLong());
    }

    @Test
    void argmaxAlongADimWithKeepdim() {
        NDArray x = f64(new double[] {1, 9, 3, 8, 2, 8, 0, 0, 0}, 3, 3);
        assertValues(x.argmax(1, false), new int[] {3}, 1, 0, 0);
        assertValues(x.argmax(1, true), new int[] {3, 1}, 1, 0, 0);
        assertValues(x.argmax(0, false), new int[] {3}, 1, 0, 1);
        assertValues(x.argmin(0, true), new int[] {1, 3}, 2, 2, 2);
        assertValues(x.argmin(-1, false), new int[] {3}, 0, 1, 0);
        assertValues(x.t().argmax(0, false), new int[] {3}, 1, 0, 0);
    }

    @Test
    void argmaxOfAFlattenedNonContiguousArrayCountsInLogicalOrder() {
        NDArray t = f64(new double[] {0, 5, 1, 2}, 2, 2).t(); // [[0, 1], [5, 2]]
        assertEquals(2, t.argmax().getLong());
        assertEquals(0, t.argmin().getLong());
        NDArray big = NDArray.randn(new Generator(5), DType.FLOAT64, 4, 6).permute(1, 0);
        double[] flat = big.toDoubleArray();
        int best = 0;
        for (int i = 1; i < flat.length; i++) if (flat[i] > flat[best]) best = i;
        assertEquals(best, big.argmax().getLong());
    }

    @Test
    void argmaxTreatsNaNAsTheMaximum() {
        // torch.argmax returns the index of the first NaN.
        NDArray x = f64(new double[] {1, Double.NaN, 5, Double.NaN}, 4);
        assertEquals(1, x.argmax().getLong());
        assertEquals(1, x.argmin().getLong());
    }

    @Test
    void argmaxOnInt64() {
        NDArray ints = NDArray.of(new long[] {3, -1, 7, 7, 2, 0}, 2, 3);
        assertValues(ints.argmax(1, false), new int[] {2}, 2, 0);
        assertValues(ints.argmin(1, false), new int[] {2}, 1, 2);
    }
}
