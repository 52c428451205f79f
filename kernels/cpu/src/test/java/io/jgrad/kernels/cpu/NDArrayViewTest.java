package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.cpu.NDArrayAssert.assertRejects;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertShape;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertValues;
import static io.jgrad.kernels.cpu.NDArrayAssert.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** View ops (torch.reshape/view/permute/transpose/narrow/expand/squeeze/unsqueeze/contiguous) on the reference backend. */
class NDArrayViewTest {

    // ---- reshape and view ---------------------------------------------------------------------------

    @Test
    void reshapeOfContiguousArrayIsAViewThatWritesThrough() {
        NDArray a = iota(6);
        NDArray r = a.reshape(2, 3);
        assertSame(a.storage(), r.storage());
        assertValues(r, new int[] {2, 3}, 0, 1, 2, 3, 4, 5);
        r.set(100, 1, 2);
        assertEquals(100, a.get(5));
        a.set(-7, 0);
        assertEquals(-7, r.get(0, 0));
    }

    @Test
    void reshapeInfersOneMinusOneDim() {
        NDArray a = iota(24);
        assertShape(a.reshape(2, -1, 4), 2, 3, 4);
        assertShape(a.reshape(-1), 24);
        assertShape(a.reshape(-1, 1), 24, 1);
        assertShape(a.reshape(2, 3, 4).reshape(-1, 12), 2, 12);
        assertShape(a.view(4, -1), 4, 6);
        assertRejects(() -> a.reshape(-1, -1), "reshape", "only one dim may be -1", "[-1, -1]");
        assertRejects(() -> a.reshape(5, -1), "reshape", "[5, -1]", "[24]");
        assertRejects(() -> a.reshape(5, 5), "reshape", "[5, 5]", "[24]");
        assertRejects(() -> a.reshape(-2, 12), "reshape", "negative size", "[-2, 12]");
    }

    @Test
    void reshapeOfZeroElementsCannotInferMinusOne() {
        NDArray e = NDArray.zeros(0, 3);
        assertShape(e.reshape(3, 0), 3, 0);
        assertRejects(() -> e.reshape(-1, 0), "reshape", "[-1, 0]", "[0, 3]");
    }

    @Test
    void reshapeOfTransposedMatrixCopiesInRowMajorOrder() {
        NDArray m = iota(2, 3).t(); // [[0, 3], [1, 4], [2, 5]]
        NDArray r = m.reshape(6);
        assertNotSame(m.storage(), r.storage());
        assertValues(r, new int[] {6}, 0, 3, 1, 4, 2, 5);
        r.set(99, 0);
        assertEquals(0, m.get(0, 0), "a copy must not write back");
        assertValues(m.flatten(), new int[] {6}, 0, 3, 1, 4, 2, 5);
    }

    @Test
    void viewOfTransposedMatrixThrowsNamingShapesStridesAndTheFix() {
        NDArray m = iota(2, 3).t();
        assertRejects(() -> m.view(6), "view", "[6]", "[3, 2]", "[1, 3]", "reshape()");
        assertRejects(() -> m.view(2, 3), "view", "[2, 3]", "[3, 2]");
    }

    @Test
    void viewOfTransposedMatrixThatOnlyAddsSizeOneDimsSharesStorage() {
        NDArray m = iota(2, 3).t();
        NDArray v = m.view(3, 2, 1);
        assertSame(m.storage(), v.storage());
        for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) assertEquals(m.get(i, j), v.get(i, j, 0));
        NDArray w = m.view(1, 3, 1, 2);
        assertValues(w.reshape(6), new int[] {6}, 0, 3, 1, 4, 2, 5);
    }

    @Test
    void viewSplitsDimsOfAPermutedArrayWithoutCopying() {
        // [2, 3, 4] permuted to [3, 2, 4]: the last dim is contiguous on its own and can be split.
        NDArray p = iota(2, 3, 4).permute(1, 0, 2);
        NDArray v = p.view(3, 2, 2, 2);
        assertSame(p.storage(), v.storage());
        assertArrayEquals(new int[] {4, 12, 2, 1}, v.strides());
        assertArrayEquals(p.contiguous().toDoubleArray(), v.toDoubleArray());
        assertRejects(() -> p.view(3, 8), "view", "[3, 8]");
        assertValues(p.reshape(3, 8).select(0, 1), new int[] {8}, 4, 5, 6, 7, 16, 17, 18, 19);
    }

    @Test
    void viewMergesLeadingDimsOfAColumnSlice() {
        NDArray s = iota(4, 6).slice(1, 0, 3); // shape [4, 3], strides [6, 1]
        NDArray v = s.view(2, 2, 3);
        assertSame(s.storage(), v.storage());
        assertArrayEquals(new int[] {12, 6, 1}, v.strides());
        assertValues(v, new int[] {2, 2, 3}, 0, 1, 2, 6, 7, 8, 12, 13, 14, 18, 19, 20);
        assertRejects(() -> s.view(12), "view", "[12]", "[4, 3]");
        assertValues(s.reshape(12), new int[] {12}, 0, 1, 2, 6, 7, 8, 12, 13, 14, 18, 19, 20);
    }

    @Test
    void reshapeOfExpandedArrayCopies() {
        NDArray row = iota(3);
        NDArray e = row.expand(2, 3);
        NDArray r = e.reshape(6);
        assertNotSame(row.storage(), r.storage());
        assertValues(r, new int[] {6}, 0, 1, 2, 0, 1, 2);
    }

    @Test
    void reshapeOfSlicedRowsKeepsTheOffset() {
        NDArray rows = iota(4, 3).slice(0, 2, 4); // contiguous, offset 6
        assertTrue(rows.isContiguous());
        NDArray r = rows.reshape(-1);
        assertSame(rows.storage(), r.storage());
        assertEquals(6, r.offset());
        assertValues(r, new int[] {6}, 6, 7, 8, 9, 10, 11);
    }

    @Test
    void flattenOfZeroDimArrayHasOneElement() {
        NDArray s = NDArray.scalar(DType.FLOAT64, 4.5);
        assertValues(s.flatten(), new int[] {1}, 4.5);
        assertValues(iota(1).reshape(), new int[] {}, 0);
    }

    // ---- permute, transpose, t ----------------------------------------------------------------------

    @Test
    void permuteMovesShapeAndStrides() {
        NDArray a = iota(2, 3, 4);
        NDArray p = a.permute(2, 0, 1);
        assertSame(a.storage(), p.storage());
        assertShape(p, 4, 2, 3);
        assertArrayEquals(new int[] {1, 12, 4}, p.strides());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) {
            assertEquals(a.get(i, j, k), p.get(k, i, j));
        }
        assertArrayEquals(p.strides(), a.permute(-1, 0, -2).strides(), "negative dims");
        assertRejects(() -> a.permute(0, 1), "permute", "[0, 1]", "[2, 3, 4]");
        assertRejects(() -> a.permute(0, 1, 1), "permute", "repeated", "[0, 1, 1]");
        assertRejects(() -> a.permute(0, 1, 3), "permute", "dim 3", "rank 3");
    }

    @Test
    void transposeSwapsTwoDimsAndAcceptsNegativeDims() {
        NDArray a = iota(2, 3, 4);
        NDArray t = a.transpose(0, -1);
        assertShape(t, 4, 3, 2);
        assertEquals(a.get(1, 2, 3), t.get(3, 2, 1));
        assertEquals(a.get(1, 0, 2), t.get(2, 0, 1));
        assertShape(a.transpose(1, 1), 2, 3, 4);
        assertRejects(() -> a.transpose(0, 3), "transpose", "dim 3");
    }

    @Test
    void tTransposesMatricesAndLeavesVectorsAndScalars() {
        NDArray m = iota(2, 3);
        assertValues(m.t(), new int[] {3, 2}, 0, 3, 1, 4, 2, 5);
        NDArray v = iota(3);
        assertSame(v, v.t());
        NDArray s = NDArray.scalar(2);
        assertSame(s, s.t());
        assertRejects(() -> iota(2, 3, 4).t(), "t", "[2, 3, 4]");
    }

    @Test
    void transposeOfZeroDimArrayAcceptsDimsZeroAndMinusOne() {
        // torch.tensor(1.).transpose(0, -1) is the same 0-d tensor.
        NDArray s = NDArray.scalar(DType.FLOAT64, 1.5);
        assertValues(s.transpose(0, -1), new int[] {}, 1.5);
    }

    // ---- slice, narrow, select ----------------------------------------------------------------------

    @Test
    void sliceWithStep() {
        NDArray a = iota(10);
        assertValues(a.slice(0, 1, 8, 3), new int[] {3}, 1, 4, 7);
        assertValues(a.slice(0, 0, 10, 4), new int[] {3}, 0, 4, 8);
        assertValues(a.slice(0, 9, 10, 5), new int[] {1}, 9);
        NDArray m = iota(3, 5).slice(1, 0, 5, 2);
        assertArrayEquals(new int[] {5, 2}, m.strides());
        assertValues(m, new int[] {3, 3}, 0, 2, 4, 5, 7, 9, 10, 12, 14);
        assertRejects(() -> a.slice(0, 0, 5, 0), "slice", "step", "0");
        assertRejects(() -> a.slice(0, 0, 5, -1), "slice", "step", "-1");
    }

    @Test
    void sliceClampsAndWrapsBoundsLikePython() {
        NDArray a = iota(10);
        assertValues(a.slice(0, -3, 1_000_000), new int[] {3}, 7, 8, 9);
        assertValues(a.slice(0, -100, 2), new int[] {2}, 0, 1);
        assertValues(a.slice(0, 2, -5), new int[] {3}, 2, 3, 4);
        assertValues(a.slice(0, -1, 10), new int[] {1}, 9);
        assertShape(a.slice(0, 7, 3), 0);
        assertShape(a.slice(0, 20, 30), 0);
        assertShape(a.slice(0, 5, 5), 0);
    }

    @Test
    void sliceWritesThroughToTheBase() {
        NDArray a = iota(3, 4);
        NDArray col = a.slice(1, 1, 4, 2); // columns 1 and 3
        col.fill(-1);
        assertValues(a, new int[] {3, 4}, 0, -1, 2, -1, 4, -1, 6, -1, 8, -1, 10, -1);
        assertSame(a.storage(), col.storage());
    }

    @Test
    void narrowTakesLengthElementsAndRejectsOverruns() {
        NDArray a = iota(10);
        assertValues(a.narrow(0, 2, 3), new int[] {3}, 2, 3, 4);
        assertValues(a.narrow(0, -3, 2), new int[] {2}, 7, 8);
        assertShape(a.narrow(0, 10, 0), 0);
        NDArray m = iota(3, 4);
        assertValues(m.narrow(-1, 1, 2), new int[] {3, 2}, 1, 2, 5, 6, 9, 10);
        assertRejects(() -> a.narrow(0, 8, 3), "narrow", "start 8", "length 3", "[10]");
        assertRejects(() -> a.narrow(0, -11, 1), "narrow", "[10]");
        assertRejects(() -> a.narrow(0, 0, -1), "narrow", "length -1");
        assertRejects(() -> m.narrow(2, 0, 1), "narrow", "dim 2");
    }

    @Test
    void selectRemovesTheDimAndWritesThrough() {
        NDArray m = iota(3, 4);
        NDArray col = m.select(1, 2);
        assertValues(col, new int[] {3}, 2, 6, 10);
        assertValues(m.select(0, -1), new int[] {4}, 8, 9, 10, 11);
        assertValues(iota(2, 3, 4).select(1, 1), new int[] {2, 4}, 4, 5, 6, 7, 16, 17, 18, 19);
        col.set(50, 1);
        assertEquals(50, m.get(1, 2));
        assertRejects(() -> m.select(1, 4), "select", "index 4", "[3, 4]");
        assertRejects(() -> m.select(0, -4), "select", "index -4", "[3, 4]");
    }

    @Test
    void dimOpsOnZeroDimArraysThrowIllegalArgument() {
        NDArray s = NDArray.scalar(1);
        assertRejects(() -> s.select(0, 0), "select", "0-dim");
        assertRejects(() -> s.narrow(0, 0, 1), "narrow", "0-dim");
        assertRejects(() -> s.slice(0, 0, 1), "slice", "0-dim");
        assertRejects(() -> s.shape(0), "shape", "0-dim");
    }

    // ---- expand --------------------------------------------------------------------------------------

    @Test
    void expandUsesStrideZeroAndAddsLeadingDims() {
        NDArray col = iota(3, 1);
        NDArray e = col.expand(2, 3, 4);
        assertSame(col.storage(), e.storage());
        assertShape(e, 2, 3, 4);
        assertArrayEquals(new int[] {0, 1, 0}, e.strides());
        for (int b = 0; b < 2; b++) for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) assertEquals(i, e.get(b, i, j));
        col.set(10, 1, 0);
        assertEquals(10, e.get(1, 1, 3), "expanded views see writes to the base");
        assertValues(col.expand(-1, 2), new int[] {3, 2}, 0, 0, 10, 10, 2, 2);
        assertShape(col.expand(3, 0), 3, 0);
        assertFalse(e.isContiguous());
    }

    @Test
    void expandRejectsNonSingletonMismatchesAndBadNewDims() {
        NDArray v = iota(3);
        assertRejects(() -> v.expand(3, 2), "expand", "[3]", "[3, 2]");
        assertRejects(() -> v.expand(-1, 3), "expand", "[-1, 3]");
        assertRejects(() -> iota(2, 3).expand(3), "expand", "[2, 3]", "[3]");
    }

    // ---- squeeze, unsqueeze -------------------------------------------------------------------------

    @Test
    void squeezeRemovesSizeOneDims() {
        NDArray a = iota(1, 3, 1, 2);
        assertShape(a.squeeze(), 3, 2);
        assertShape(a.squeeze(2), 1, 3, 2);
        assertShape(a.squeeze(-2), 1, 3, 2);
        assertShape(a.squeeze(0), 3, 1, 2);
        assertShape(a.squeeze(1), 1, 3, 1, 2); // size 3: unchanged, as torch.squeeze(dim)
        assertShape(iota(1).squeeze(), new int[0]);
        assertShape(iota(1, 1).squeeze(), new int[0]);
        assertSame(a.storage(), a.squeeze().storage());
        assertValues(a.squeeze(), new int[] {3, 2}, 0, 1, 2, 3, 4, 5);
        assertRejects(() -> a.squeeze(4), "squeeze", "dim 4");
    }

    @Test
    void unsqueezeInsertsSizeOneDimsIncludingNegativeDims() {
        NDArray a = iota(2, 3);
        assertShape(a.unsqueeze(0), 1, 2, 3);
        assertShape(a.unsqueeze(1), 2, 1, 3);
        assertShape(a.unsqueeze(2), 2, 3, 1);
        assertShape(a.unsqueeze(-1), 2, 3, 1);
        assertShape(a.unsqueeze(-3), 1, 2, 3);
        assertShape(NDArray.scalar(1).unsqueeze(0), 1);
        assertTrue(a.unsqueeze(1).isContiguous());
        assertSame(a.storage(), a.unsqueeze(1).view(6).storage());
        NDArray t = a.t().unsqueeze(1); // non-contiguous input
        assertShape(t, 3, 1, 2);
        assertEquals(a.get(1, 2), t.get(2, 0, 1));
        assertRejects(() -> a.unsqueeze(3), "unsqueeze", "dim 3");
        assertRejects(() -> a.unsqueeze(-4), "unsqueeze", "dim -4");
    }

    // ---- contiguous ---------------------------------------------------------------------------------

    @Test
    void contiguousOfNonContiguousViewsGivesRowMajorValues() {
        NDArray t = iota(2, 3).t();
        assertFalse(t.isContiguous());
        NDArray c = t.contiguous();
        assertTrue(c.isContiguous());
        assertNotSame(t.storage(), c.storage());
        assertArrayEquals(new int[] {2, 1}, c.strides());
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, c.toDoubleArray());

        NDArray stepped = iota(3, 4).slice(1, 0, 4, 3);
        assertArrayEquals(new double[] {0, 3, 4, 7, 8, 11}, stepped.contiguous().toDoubleArray());

        NDArray expanded = iota(2, 1).expand(2, 3);
        assertArrayEquals(new double[] {0, 0, 0, 1, 1, 1}, expanded.contiguous().toDoubleArray());

        NDArray p = iota(2, 3, 4).permute(2, 0, 1).contiguous();
        assertArrayEquals(new double[] {0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21}, java.util.Arrays.copyOf(p.toDoubleArray(), 12));
    }

    @Test
    void contiguousOfContiguousArrayIsTheSameArray() {
        NDArray a = iota(2, 3);
        assertSame(a, a.contiguous());
        NDArray rows = a.slice(0, 1, 2);
        assertSame(rows, rows.contiguous());
    }

    @Test
    void isContiguousFollowsStridesNotHistory() {
        NDArray a = iota(2, 3, 4);
        assertTrue(a.isContiguous());
        assertFalse(a.transpose(1, 2).isContiguous());
        assertTrue(a.transpose(1, 2).transpose(1, 2).isContiguous());
        assertTrue(a.slice(0, 1, 2).isContiguous());
        assertFalse(a.slice(2, 0, 2).isContiguous());
        assertTrue(a.select(0, 1).isContiguous());
        assertFalse(a.select(2, 1).isContiguous());
        assertTrue(a.unsqueeze(3).isContiguous());
        assertTrue(iota(3, 1).t().isContiguous(), "a size-1 dim may have any stride");
        assertTrue(NDArray.scalar(1).isContiguous());
    }

    @Test
    void copyNeverSharesStorage() {
        NDArray a = iota(2, 2);
        NDArray c = a.copy();
        assertNotSame(a.storage(), c.storage());
        c.set(9, 0, 0);
        assertEquals(0, a.get(0, 0));
    }

    // ---- element access -----------------------------------------------------------------------------

    @Test
    void getAndSetAcceptNegativeIndicesAndCheckBounds() {
        NDArray a = iota(2, 3);
        assertEquals(5, a.get(-1, -1));
        assertEquals(3, a.get(1, -3));
        a.set(42, -2, 1);
        assertEquals(42, a.get(0, 1));
        assertRejects(() -> a.get(2, 0), "get", "[2, 0]", "[2, 3]");
        assertRejects(() -> a.get(0), "get", "[0]", "[2, 3]");
        assertRejects(() -> a.set(1, 0, 3), "set", "[0, 3]", "[2, 3]");
        assertRejects(a::item, "item", "[2, 3]");
        assertEquals(4, a.narrow(1, 1, 1).narrow(0, 1, 1).item());
    }
}
