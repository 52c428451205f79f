package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.cpu.NDArrayAssert.f64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** toString: torch-like layout, dtype suffixes, scientific notation, summarisation of big arrays. */
class FormatterTest {

    @Test
    void smallMatrixExactly() {
        NDArray a = NDArray.arange(0, 4, 1).reshape(2, 2);
        assertEquals("tensor([[0.0000, 1.0000],\n        [2.0000, 3.0000]])", a.toString());
    }

    @Test
    void vectorsScalarsAndNegativeValues() {
        assertEquals("tensor([0.5000, -1.2500, 3.0000])", NDArray.of(0.5f, -1.25f, 3f).toString());
        assertEquals("tensor(3.5000)", NDArray.scalar(3.5).toString());
        assertEquals("tensor(7, dtype=int64)", NDArray.scalar(DType.INT64, 7).toString());
    }

    @Test
    void dtypeSuffixesForInt64AndFloat64ButNotFloat32() {
        assertEquals("tensor([1, 2, 3], dtype=int64)", NDArray.of(new long[] {1, 2, 3}, 3).toString());
        assertEquals("tensor([1.5000, -2.0000], dtype=float64)", f64(new double[] {1.5, -2}, 2).toString());
        assertFalse(NDArray.ones(2).toString().contains("dtype"));
    }

    @Test
    void int64PrintsExactlyAbove2To53() {
        long big = (1L << 53) + 1;
        assertEquals("tensor([9007199254740993, -9223372036854775808], dtype=int64)",
                NDArray.of(new long[] {big, Long.MIN_VALUE}, 2).toString());
    }

    @Test
    void threeDimensionalArraysSeparateBlocksWithABlankLine() {
        NDArray a = NDArray.arange(8).reshape(2, 2, 2);
        assertEquals("tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]], dtype=int64)", a.toString());
    }

    @Test
    void nonContiguousArraysPrintInLogicalOrder() {
        NDArray t = NDArray.arange(6).reshape(2, 3).t();
        assertEquals("tensor([[0, 3],\n        [1, 4],\n        [2, 5]], dtype=int64)", t.toString());
        assertEquals("tensor([0, 2, 4], dtype=int64)", NDArray.arange(6).slice(0, 0, 6, 2).toString());
    }

    @Test
    void nanAndInfinities() {
        NDArray x = f64(new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1}, 4);
        assertEquals("tensor([nan, inf, -inf, 1.0000], dtype=float64)", x.toString());
    }

    @Test
    void scientificNotationForTinyOrHugeMagnitudes() {
        assertEquals("tensor([1.0000e-05, 1.0000e+00])", NDArray.of(1e-5f, 1f).toString());
        assertEquals("tensor([1.0000e+09, 2.0000e+00], dtype=float64)", f64(new double[] {1e9, 2}, 2).toString());
        assertEquals("tensor([1.0000e+04, 1.0000e+00], dtype=float64)", f64(new double[] {1e4, 1}, 2).toString());
        // torch: max / min > 1000 switches to scientific notation whatever the magnitude of max
        assertEquals("tensor([1.0000e-03, 2.0000e+00])", NDArray.of(0.001f, 2f).toString());
        assertEquals("tensor([5.0000e-01, 6.0000e+02], dtype=float64)", f64(new double[] {0.5, 600}, 2).toString());
        assertEquals("tensor([0.0000, 0.0010, 0.5000])", NDArray.of(0f, 0.001f, 0.5f).toString(), "zeros do not count");
        String moderate = f64(new double[] {100, 1}, 2).toString(); // a ratio of 100 stays fixed-point
        assertTrue(moderate.contains("100.0000") && !moderate.contains("e+"), moderate);
    }

    @Test
    void emptyArraysShowTheirSize() {
        String s = NDArray.zeros(0, 3).toString();
        assertTrue(s.startsWith("tensor([]"), s);
        assertTrue(s.contains("size=[0, 3]"), s);
    }

    @Test
    void bigVectorsAreSummarisedWithEllipsis() {
        assertEquals("tensor([0, 1, 2, ..., 1997, 1998, 1999], dtype=int64)", NDArray.arange(2000).toString());
        assertFalse(NDArray.arange(1000).toString().contains("..."), "1000 elements are printed in full");
        assertTrue(NDArray.arange(1001).toString().contains("..., 998, 999, 1000]"));
    }

    @Test
    void bigMatricesAreSummarisedAlongEveryLongDim() {
        String s = NDArray.arange(2000).reshape(1000, 2).toString();
        String[] lines = s.split("\n");
        assertEquals(7, lines.length, s);
        assertEquals("tensor([[0, 1],", lines[0]);
        assertEquals("        ...,", lines[3]);
        assertEquals("        [1998, 1999]], dtype=int64)", lines[6]);

        String wide = NDArray.zeros(10, 200).toString();
        String[] rows = wide.split("\n");
        assertEquals(7, rows.length, wide);
        assertEquals("tensor([[0.0000, 0.0000, 0.0000, ..., 0.0000, 0.0000, 0.0000],", rows[0]);
        assertTrue(rows[3].trim().equals("...,"), rows[3]);
    }
}
