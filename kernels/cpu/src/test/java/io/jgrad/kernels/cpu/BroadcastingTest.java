package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.function.BinaryOperator;

import static io.jgrad.kernels.cpu.NDArrayAssert.assertRejects;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertShape;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertValues;
import static io.jgrad.kernels.cpu.NDArrayAssert.f64;
import static io.jgrad.kernels.cpu.NDArrayAssert.iota;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Binary ops under NumPy broadcasting, where, clamp, maximum/minimum, in-place ops, assign, cat and stack. */
class BroadcastingTest {

    /** out[i, j, k] for a [2, 1, 3] array a and a [4, 1] array b broadcast to [2, 4, 3]. */
    private static void checkRankMismatch(String op, BinaryOperator<NDArray> f, java.util.function.DoubleBinaryOperator scalar) {
        NDArray a = iota(2, 1, 3).add(1);             // a[i, 0, k] = 3i + k + 1
        NDArray b = iota(4, 1).mul(0.5).add(2);       // b[j, 0] = 0.5j + 2
        NDArray out = f.apply(a, b);
        assertShape(out, 2, 4, 3);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 3; k++) {
            double expected = scalar.applyAsDouble(3 * i + k + 1, 0.5 * j + 2);
            assertEquals(expected, out.get(i, j, k), 1e-15, op + " at " + i + "," + j + "," + k);
        }
    }

    @Test
    void addSubMulDivBroadcastAcrossRanks() {
        checkRankMismatch("add", NDArray::add, (x, y) -> x + y);
        checkRankMismatch("sub", NDArray::sub, (x, y) -> x - y);
        checkRankMismatch("mul", NDArray::mul, (x, y) -> x * y);
        checkRankMismatch("div", NDArray::div, (x, y) -> x / y);
        checkRankMismatch("pow", NDArray::pow, Math::pow);
    }

    @Test
    void rowAndColumnVectorsBroadcastOnBothSides() {
        NDArray col = f64(new double[] {1, 2, 3}, 3, 1);
        NDArray row = f64(new double[] {10, 20, 30, 40}, 1, 4);
        assertValues(col.add(row), new int[] {3, 4}, 11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43);
        assertValues(row.sub(col), new int[] {3, 4}, 9, 19, 29, 39, 8, 18, 28, 38, 7, 17, 27, 37);
        assertValues(iota(2, 3).add(f64(new double[] {100, 200, 300}, 3)), new int[] {2, 3}, 100, 201, 302, 103, 204, 305);
        assertValues(iota(2, 3).div(f64(new double[] {1, 2}, 2, 1)), new int[] {2, 3}, 0, 1, 2, 1.5, 2, 2.5);
    }

    @Test
    void broadcastingWorksOnNonContiguousOperands() {
        NDArray t = iota(3, 2).t();                 // [[0, 2, 4], [1, 3, 5]]
        NDArray stepped = iota(6).slice(0, 0, 6, 2); // [0, 2, 4]
        assertValues(t.add(stepped), new int[] {2, 3}, 0, 4, 8, 1, 5, 9);
        NDArray expanded = f64(new double[] {7}, 1).expand(2, 3);
        assertValues(t.mul(expanded), new int[] {2, 3}, 0, 14, 28, 7, 21, 35);
    }

    @Test
    void zeroSizedDimsBroadcast() {
        assertShape(NDArray.zeros(0, 3).add(NDArray.zeros(1, 3)), 0, 3);
        assertShape(NDArray.zeros(0, 1).add(NDArray.zeros(3)), 0, 3);
    }

    @Test
    void incompatibleShapesNameTheOpAndBothShapes() {
        assertRejects(() -> iota(2, 3).add(iota(2)), "add", "[2, 3]", "[2]");
        assertRejects(() -> iota(2, 3).mul(iota(3, 2)), "mul", "[2, 3]", "[3, 2]");
        assertRejects(() -> iota(4, 1, 3).sub(iota(2, 2)), "sub", "[4, 1, 3]", "[2, 2]");
    }

    @Test
    void scalarOps() {
        NDArray a = f64(new double[] {1, 2, 4}, 3);
        assertValues(a.add(1), new int[] {3}, 2, 3, 5);
        assertValues(a.sub(1), new int[] {3}, 0, 1, 3);
        assertValues(a.mul(3), new int[] {3}, 3, 6, 12);
        assertValues(a.div(4), new int[] {3}, 0.25, 0.5, 1);
        assertValues(a.rsub(10), new int[] {3}, 9, 8, 6);
        assertValues(a.rdiv(8), new int[] {3}, 8, 4, 2);
        assertValues(a.div(0), new int[] {3}, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
        NDArray zeroDim = NDArray.scalar(DType.FLOAT64, 2);
        assertValues(iota(2, 2).mul(zeroDim), new int[] {2, 2}, 0, 2, 4, 6);
        assertValues(zeroDim.sub(iota(2)), new int[] {2}, 2, 1);
        assertShape(zeroDim.add(zeroDim), new int[0]);
        assertEquals(DType.FLOAT32, NDArray.ones(2).add(1).dtype());
        assertEquals(DType.INT64, NDArray.arange(3).mul(2).dtype());
        assertValues(NDArray.arange(3).mul(2), new int[] {3}, 0, 2, 4);
    }

    @Test
    void int64ArraysRejectFractionalScalarsInsteadOfTruncatingThem() {
        // torch.arange(3) + 0.5 == tensor([0.5, 1.5, 2.5]) and torch.arange(3) < 1.5 == [T, T, F]; an int64
        // scalar would silently turn these into + 0 and < 1.
        NDArray ints = NDArray.arange(3);
        assertRejects(() -> ints.add(0.5), "add", "0.5", "int64", "[3]", "to(DType)");
        assertRejects(() -> ints.lt(1.5), "lt", "1.5", "int64");
        assertRejects(() -> ints.mul(Double.NaN), "mul", "NaN");
        assertRejects(() -> ints.maximum(Double.POSITIVE_INFINITY), "maximum", "Infinity");
        assertRejects(() -> ints.rsub(0.25), "rsub", "0.25");
        assertRejects(() -> ints.mulInPlace(1.5), "mulInPlace", "1.5");
        assertRejects(() -> ints.clamp(0.5, 2), "clamp", "0.5", "int64");
        assertValues(ints, new int[] {3}, 0, 1, 2);
        assertValues(ints.add(2), new int[] {3}, 2, 3, 4);
        assertValues(ints.lt(-1.0), new int[] {3}, 0, 0, 0);
        assertValues(ints.clamp(Double.NEGATIVE_INFINITY, 1), new int[] {3}, 0, 1, 1);
        assertValues(ints.to(DType.FLOAT64).lt(1.5), new int[] {3}, 1, 1, 0);
    }

    @Test
    void comparisonsReturnZeroOrOneInTheInputDtype() {
        NDArray a = f64(new double[] {1, 2, 3}, 3);
        NDArray b = f64(new double[] {3, 2, 1}, 3);
        assertValues(a.eq(b), new int[] {3}, 0, 1, 0);
        assertValues(a.ne(b), new int[] {3}, 1, 0, 1);
        assertValues(a.lt(b), new int[] {3}, 1, 0, 0);
        assertValues(a.le(b), new int[] {3}, 1, 1, 0);
        assertValues(a.gt(b), new int[] {3}, 0, 0, 1);
        assertValues(a.ge(b), new int[] {3}, 0, 1, 1);
        assertEquals(DType.FLOAT64, a.lt(b).dtype());
        assertValues(a.gt(2), new int[] {3}, 0, 0, 1);
        assertValues(a.le(2), new int[] {3}, 1, 1, 0);
        assertValues(a.eq(3), new int[] {3}, 0, 0, 1);
        NDArray ints = NDArray.arange(4);
        assertEquals(DType.INT64, ints.ge(2).dtype());
        assertValues(ints.ge(2), new int[] {4}, 0, 0, 1, 1);
        assertEquals(DType.FLOAT32, NDArray.ones(2).ne(1).dtype());
        // broadcast: [3, 1] against [3]
        assertValues(a.reshape(3, 1).lt(a), new int[] {3, 3}, 0, 1, 1, 0, 0, 1, 0, 0, 0);
    }

    @Test
    void comparisonsWithNaNAreFalseExceptNe() {
        NDArray nan = f64(new double[] {Double.NaN, 1}, 2);
        NDArray one = f64(new double[] {Double.NaN, 1}, 2);
        assertValues(nan.eq(one), new int[] {2}, 0, 1);
        assertValues(nan.ne(one), new int[] {2}, 1, 0);
        assertValues(nan.lt(5), new int[] {2}, 0, 1);
        assertValues(nan.ge(0), new int[] {2}, 0, 1);
    }

    @Test
    void whereBroadcastsConditionAndBothBranches() {
        NDArray cond = NDArray.of(new long[] {1, 0, 1}, 3, 1);
        NDArray a = f64(new double[] {1, 2, 3, 4}, 1, 4);
        NDArray b = NDArray.scalar(DType.FLOAT64, -1);
        NDArray w = NDArray.where(cond, a, b);
        assertShape(w, 3, 4);
        assertEquals(DType.FLOAT64, w.dtype());
        assertValues(w, new int[] {3, 4}, 1, 2, 3, 4, -1, -1, -1, -1, 1, 2, 3, 4);
        // a float mask from a comparison; -0.0 counts as false
        NDArray x = f64(new double[] {-2, 0, 3, -0.0}, 4);
        assertValues(NDArray.where(x.gt(0), x, x.neg()), new int[] {4}, 2, 0, 3, 0);
        assertValues(NDArray.where(x, f64(new double[] {1}, 1), f64(new double[] {0}, 1)), new int[] {4}, 1, 0, 1, 0);
        assertRejects(() -> NDArray.where(cond, a, NDArray.scalar(1)), "where", "float64", "float32");
        assertRejects(() -> NDArray.where(iota(2), iota(3), iota(3)), "where", "[2]", "[3]");
    }

    @Test
    void clampWithInfiniteBoundsAndNaN() {
        NDArray x = f64(new double[] {-5, -1, 0, 1, 5, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}, 8);
        double inf = Double.POSITIVE_INFINITY;
        assertValues(x.clamp(-1, 1), new int[] {8}, -1, -1, 0, 1, 1, Double.NaN, -1, 1);
        assertValues(x.clamp(Double.NEGATIVE_INFINITY, 1), new int[] {8}, -5, -1, 0, 1, 1, Double.NaN, -inf, 1);
        assertValues(x.clamp(0, inf), new int[] {8}, 0, 0, 0, 1, 5, Double.NaN, 0, inf);
        assertValues(x.clamp(Double.NEGATIVE_INFINITY, inf), new int[] {8}, -5, -1, 0, 1, 5, Double.NaN, -inf, inf);
        assertValues(x.clamp(2, 2), new int[] {8}, 2, 2, 2, 2, 2, Double.NaN, 2, 2);
        assertValues(NDArray.arange(6).clamp(1, 3), new int[] {6}, 1, 1, 2, 3, 3, 3);
        assertRejects(() -> x.clamp(1, -1), "clamp", "1.0", "-1.0");
    }

    @Test
    void maximumAndMinimumPropagateNaNFromEitherSide() {
        NDArray a = f64(new double[] {1, Double.NaN, 3, Double.NaN}, 4);
        NDArray b = f64(new double[] {2, 0, Double.NaN, Double.NaN}, 4);
        assertValues(a.maximum(b), new int[] {4}, 2, Double.NaN, Double.NaN, Double.NaN);
        assertValues(a.minimum(b), new int[] {4}, 1, Double.NaN, Double.NaN, Double.NaN);
        assertValues(b.maximum(a), new int[] {4}, 2, Double.NaN, Double.NaN, Double.NaN);
        assertValues(a.maximum(2), new int[] {4}, 2, Double.NaN, 3, Double.NaN);
        assertValues(a.minimum(2), new int[] {4}, 1, Double.NaN, 2, Double.NaN);
        assertValues(iota(2, 2).maximum(f64(new double[] {1.5, 0.5}, 2)), new int[] {2, 2}, 1.5, 1, 2, 3);
    }

    // ---- in-place ops and assign ---------------------------------------------------------------------

    @Test
    void addInPlaceOnAViewWritesOnlyTheView() {
        NDArray base = NDArray.zeros(DType.FLOAT64, 3, 4);
        NDArray middle = base.slice(1, 1, 3);
        NDArray r = middle.addInPlace(NDArray.ones(DType.FLOAT64, 3, 2));
        assertSame(middle, r);
        assertValues(base, new int[] {3, 4}, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0);
        base.t().select(0, 3).addInPlace(f64(new double[] {5, 6, 7}, 3)); // last column, through a transpose
        assertValues(base, new int[] {3, 4}, 0, 1, 1, 5, 0, 1, 1, 6, 0, 1, 1, 7);
    }

    @Test
    void inPlaceOpsBroadcastTheOtherOperand() {
        NDArray a = iota(2, 3);
        a.mulInPlace(f64(new double[] {1, 10, 100}, 3));
        assertValues(a, new int[] {2, 3}, 0, 10, 200, 3, 40, 500);
        a.subInPlace(f64(new double[] {1, 2}, 2, 1));
        assertValues(a, new int[] {2, 3}, -1, 9, 199, 1, 38, 498);
        a.mulInPlace(0.5);
        assertValues(a, new int[] {2, 3}, -0.5, 4.5, 99.5, 0.5, 19, 249);
        a.addInPlace(NDArray.scalar(DType.FLOAT64, 1));
        assertValues(a, new int[] {2, 3}, 0.5, 5.5, 100.5, 1.5, 20, 250);
    }

    @Test
    void inPlaceOpsRejectExpandedTargetsBroadcastTargetsAndOtherDtypes() {
        NDArray expanded = iota(1, 3).expand(2, 3);
        assertRejects(() -> expanded.addInPlace(iota(2, 3)), "addInPlace", "expanded", "[2, 3]");
        assertRejects(() -> expanded.mulInPlace(2), "mulInPlace", "expanded");
        NDArray small = iota(3);
        assertRejects(() -> small.addInPlace(iota(2, 3)), "addInPlace", "[2, 3]", "[3]");
        assertRejects(() -> small.addInPlace(NDArray.ones(3)), "addInPlace", "float64", "float32");
        assertValues(small, new int[] {3}, 0, 1, 2);
        // An expanded size-1 dim is still a single element per position: allowed, as in torch.
        NDArray one = iota(1).expand(1, 1);
        one.addInPlace(NDArray.scalar(DType.FLOAT64, 4));
        assertEquals(4, one.item());
    }

    @Test
    void assignBroadcastsAndConvertsIntoAView() {
        NDArray base = NDArray.zeros(DType.FLOAT64, 2, 5);
        NDArray window = base.narrow(1, 1, 3);
        window.assign(f64(new double[] {7, 8, 9}, 3));
        assertValues(base, new int[] {2, 5}, 0, 7, 8, 9, 0, 0, 7, 8, 9, 0);
        base.select(1, 4).assign(NDArray.of(new long[] {3, 4}, 2));
        assertValues(base, new int[] {2, 5}, 0, 7, 8, 9, 3, 0, 7, 8, 9, 4);
        base.assign(NDArray.scalar(DType.FLOAT32, 0.5f));
        assertValues(base, new int[] {2, 5}, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5);
        assertRejects(() -> base.assign(iota(5, 2)), "assign", "[5, 2]", "[2, 5]");
        assertRejects(() -> base.narrow(0, 0, 1).assign(base), "assign", "[2, 5]", "[1, 5]");
    }

    @Test
    void assignIntoAnExpandedViewIsRejected() {
        // torch: copy_ into an expanded tensor raises "unsupported operation: more than one element of the
        // written-to tensor refers to a single memory location".
        NDArray expanded = iota(1, 3).expand(2, 3);
        assertRejects(() -> expanded.assign(iota(2, 3)), "assign", "expanded", "[2, 3]");
        assertValues(expanded, new int[] {2, 3}, 0, 1, 2, 0, 1, 2);
    }

    @Test
    void writesFromAPartlyOverlappingSourceAreRejected() {
        // torch: "unsupported operation: some elements of the input tensor and the written-to tensor refer to
        // a single memory location. Please clone() the tensor before performing the operation."
        NDArray a = iota(4);
        assertRejects(() -> a.narrow(0, 1, 3).assign(a.narrow(0, 0, 3)), "assign", "overlaps", "[3]", "copy()");
        assertRejects(() -> a.narrow(0, 1, 3).addInPlace(a.narrow(0, 0, 3)), "addInPlace", "overlaps");
        assertValues(a, new int[] {4}, 0, 1, 2, 3);
        NDArray m = iota(3, 3);
        assertRejects(() -> m.addInPlace(m.t()), "addInPlace", "overlaps", "[3, 3]");
        assertRejects(() -> m.assign(m.t()), "assign", "overlaps");
        assertRejects(() -> m.mulInPlace(m.select(0, 0)), "mulInPlace", "overlaps", "[3]", "[3, 3]");
        assertValues(m, new int[] {3, 3}, 0, 1, 2, 3, 4, 5, 6, 7, 8);

        // the fix the message names
        a.narrow(0, 1, 3).assign(a.narrow(0, 0, 3).copy());
        assertValues(a, new int[] {4}, 0, 0, 1, 2);
        m.assign(m.t().copy());
        assertValues(m, new int[] {3, 3}, 0, 3, 6, 1, 4, 7, 2, 5, 8);
    }

    @Test
    void writesFromTheSameElementsOrADisjointPartAreAllowed() {
        NDArray m = iota(2, 3);
        m.addInPlace(m);
        assertValues(m, new int[] {2, 3}, 0, 2, 4, 6, 8, 10);
        m.unsqueeze(0).mulInPlace(m);
        assertValues(m, new int[] {2, 3}, 0, 4, 16, 36, 64, 100);
        m.select(0, 0).assign(m.select(0, 1));
        assertValues(m, new int[] {2, 3}, 36, 64, 100, 36, 64, 100);
        m.select(0, 1).subInPlace(m.select(0, 0));
        assertValues(m, new int[] {2, 3}, 36, 64, 100, 0, 0, 0);
        m.assign(m);
        assertValues(m, new int[] {2, 3}, 36, 64, 100, 0, 0, 0);
    }

    @Test
    void fillWritesThroughAView() {
        NDArray a = iota(3, 3);
        a.select(1, 1).fill(-1);
        assertValues(a, new int[] {3, 3}, 0, -1, 2, 3, -1, 5, 6, -1, 8);
    }

    // ---- cat and stack ------------------------------------------------------------------------------

    @Test
    void catJoinsAlongAnExistingDim() {
        NDArray a = iota(2, 2);
        NDArray b = iota(1, 2).add(10);
        assertValues(NDArray.cat(0, a, b), new int[] {3, 2}, 0, 1, 2, 3, 10, 11);
        NDArray c = iota(2, 3).add(20);
        assertValues(NDArray.cat(1, a, c), new int[] {2, 5}, 0, 1, 20, 21, 22, 2, 3, 23, 24, 25);
        assertValues(NDArray.cat(-1, a, a.t()), new int[] {2, 4}, 0, 1, 0, 2, 2, 3, 1, 3);
        assertValues(NDArray.cat(0, iota(2), NDArray.zeros(DType.FLOAT64, 0), iota(1)), new int[] {3}, 0, 1, 0);
        NDArray single = NDArray.cat(0, a);
        assertValues(single, new int[] {2, 2}, 0, 1, 2, 3);
    }

    @Test
    void catRejectsMismatchedShapesDtypesAndZeroDimArrays() {
        assertRejects(() -> NDArray.cat(0, iota(2, 2), iota(2, 3)), "cat", "[2, 2]", "[2, 3]");
        assertRejects(() -> NDArray.cat(0, iota(2, 2), iota(4)), "cat", "[2, 2]", "[4]");
        assertRejects(() -> NDArray.cat(0, iota(2), NDArray.ones(2)), "cat", "float64", "float32");
        assertRejects(() -> NDArray.cat(0, NDArray.scalar(1), NDArray.scalar(2)), "cat", "zero-dimensional");
        assertRejects(() -> NDArray.cat(2, iota(2, 2)), "cat", "dim 2");
        assertRejects(() -> NDArray.cat(0), "cat", "at least one");
    }

    @Test
    void stackJoinsAlongANewDim() {
        NDArray a = iota(2, 3);
        NDArray b = iota(2, 3).add(10);
        NDArray s0 = NDArray.stack(0, a, b);
        assertShape(s0, 2, 2, 3);
        assertValues(s0.select(0, 1), new int[] {2, 3}, 10, 11, 12, 13, 14, 15);
        NDArray s1 = NDArray.stack(1, a, b);
        assertValues(s1, new int[] {2, 2, 3}, 0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15);
        NDArray sLast = NDArray.stack(-1, a, b);
        assertValues(sLast, new int[] {2, 3, 2}, 0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15);
        assertValues(NDArray.stack(0, NDArray.scalar(DType.FLOAT64, 1), NDArray.scalar(DType.FLOAT64, 2)), new int[] {2}, 1, 2);
        assertRejects(() -> NDArray.stack(0, a, iota(3, 2)), "stack", "[2, 3]", "[3, 2]");
        assertRejects(() -> NDArray.stack(3, a, b), "stack", "dim 3");
    }
}
