package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.jgrad.kernels.opencl.OpenClTesting.REFERENCE;
import static io.jgrad.kernels.opencl.OpenClTesting.SIZES;
import static io.jgrad.kernels.opencl.OpenClTesting.View;
import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;

/** gather, scatterAdd, indexSelect and indexAdd against the reference backend (repeated indices included). */
class IndexingTest {

    @Test
    void gatherAndScatterAddAlongEachDim() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : DType.values()) {
            for (int n : SIZES) {
                for (View view : View.values()) {
                    NDArray x = OpenClTesting.randn(n, DType.FLOAT64, n, 4).mul(3).to(dtype);
                    NDArray hx = view.of(x), dx = view.of(x.to(cl.device()));
                    for (int dim = 0; dim < 2; dim++) {
                        int size = x.shape(dim);
                        // The index is smaller than x outside dim and repeats positions along it.
                        // (Bounded along dim: the deterministic scatter scans the index once per target element.)
                        int[] indexShape = dim == 0 ? new int[] {Math.min(n, 40) + 2, 3} : new int[] {Math.max(1, n - 1), 5};
                        NDArray index = OpenClTesting.randomIndex(n + dim, size, indexShape);
                        NDArray hi = View.TRANSPOSED.of(index), di = View.TRANSPOSED.of(index.to(cl.device()));
                        NDArray expected = NDArray.zeros(dtype, indexShape), actual = NDArray.zeros(dtype, cl.device(), indexShape);
                        REFERENCE.gather(hx, dim, hi, expected);
                        cl.gather(dx, dim, di, actual);
                        assertMatches("gather " + dtype + " dim " + dim + " n=" + n + " " + view, expected, actual, 0, 0);

                        if (view == View.EXPANDED) continue; // a scatter target cannot be an expanded view
                        NDArray src = OpenClTesting.randn(n + 5, DType.FLOAT64, indexShape).to(dtype);
                        NDArray target = hx.copy(), dTarget = View.SPACED.of(x.to(cl.device()));
                        REFERENCE.scatterAdd(target, dim, hi, src);
                        cl.scatterAdd(dTarget, dim, di, View.TRANSPOSED.of(src.to(cl.device())));
                        double tol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
                        assertMatches("scatterAdd " + dtype + " dim " + dim + " n=" + n + " " + view, target, dTarget, tol, tol);
                    }
                }
            }
        }
    }

    @Test
    void indexSelectAndIndexAddAlongEachDim() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : DType.values()) {
            for (int n : SIZES) {
                for (View view : View.values()) {
                    NDArray x = OpenClTesting.randn(n, DType.FLOAT64, n, 3).mul(3).to(dtype);
                    NDArray hx = view.of(x), dx = view.of(x.to(cl.device()));
                    for (int dim = 0; dim < 2; dim++) {
                        int count = Math.min(n, 40) + 1;
                        NDArray index = OpenClTesting.randomIndex(n * 3L + dim, x.shape(dim), count);
                        NDArray hi = View.SPACED.of(index), di = View.SPACED.of(index.to(cl.device()));
                        int[] outShape = x.shape();
                        outShape[dim] = count;
                        NDArray expected = NDArray.zeros(dtype, outShape), actual = NDArray.zeros(dtype, cl.device(), outShape);
                        REFERENCE.indexSelect(hx, dim, hi, expected);
                        cl.indexSelect(dx, dim, di, actual);
                        assertMatches("indexSelect " + dtype + " dim " + dim + " n=" + n + " " + view, expected, actual, 0, 0);

                        if (view == View.EXPANDED) continue;
                        NDArray src = OpenClTesting.randn(n + 9, DType.FLOAT64, outShape).to(dtype);
                        NDArray target = hx.copy(), dTarget = View.TRANSPOSED.of(x.to(cl.device()));
                        REFERENCE.indexAdd(target, dim, hi, src);
                        cl.indexAdd(dTarget, dim, di, View.SPACED.of(src.to(cl.device())));
                        double tol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
                        assertMatches("indexAdd " + dtype + " dim " + dim + " n=" + n + " " + view, target, dTarget, tol, tol);
                    }
                }
            }
        }
    }

    @Test
    void zeroDimensionalArraysAreTheirOwnSlice() {
        OpenClBackend cl = OpenClTesting.backend();
        NDArray x = NDArray.scalar(DType.FLOAT32, 2.5).to(cl.device());
        NDArray index = NDArray.of(new long[] {0}, 1).to(cl.device());
        assertMatches("indexSelect 0-d", NDArray.scalar(2.5), x.indexSelect(0, index), 0, 0);
        assertMatches("indexAdd 0-d", NDArray.scalar(4.0), x.indexAdd(0, index, NDArray.scalar(DType.FLOAT32, 1.5).to(cl.device())), 0, 0);
        assertMatches("gather 0-d", NDArray.scalar(2.5), x.gather(0, NDArray.scalar(DType.INT64, 0).to(cl.device())), 0, 0);
    }

    /**
     * An index outside its dim cannot be thrown from a kernel: it is recorded on the device and the next
     * host read throws naming the op, the index and the dim size; reads after that work again.
     */
    @Test
    void anOutOfRangeDeviceIndexIsReportedAtTheNextHostRead() {
        OpenClBackend cl = OpenClTesting.backend();
        NDArray x = NDArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).to(cl.device());
        NDArray out = NDArray.zeros(DType.FLOAT32, cl.device(), 2, 1);
        NDArray[] indices = {
                NDArray.of(new long[] {1, 3}, 2, 1).to(cl.device()),
                NDArray.of(new long[] {-1, 0}, 2, 1).to(cl.device())};
        long[] bad = {3, -1};
        for (int k = 0; k < indices.length; k++) {
            cl.gather(x, 1, indices[k], out);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> out.to(io.jgrad.tensor.Device.CPU));
            assertTrue(e.getMessage().startsWith("gather: index " + bad[k] + " is out of range for a dim of size 3"), e.getMessage());
        }
        String[] ops = {"scatterAdd", "indexSelect", "indexAdd"};
        NDArray badIndex = NDArray.of(new long[] {0, 7}, 2).to(cl.device());
        for (String op : ops) {
            NDArray target = NDArray.zeros(DType.FLOAT32, cl.device(), 2, 3);
            switch (op) {
                case "scatterAdd" -> cl.scatterAdd(target, 1, NDArray.of(new long[] {0, 7}, 1, 2).to(cl.device()), NDArray.ones(DType.FLOAT32, 1, 2).to(cl.device()));
                case "indexSelect" -> cl.indexSelect(x, 1, badIndex, NDArray.zeros(DType.FLOAT32, cl.device(), 2, 2));
                default -> cl.indexAdd(target, 1, badIndex, NDArray.ones(DType.FLOAT32, 2, 2).to(cl.device()));
            }
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> target.to(io.jgrad.tensor.Device.CPU));
            assertTrue(e.getMessage().startsWith(op + ": index 7 is out of range for a dim of size 3"), e.getMessage());
        }
        // The record is cleared once reported: valid work reads back normally.
        cl.gather(x, 1, NDArray.of(new long[] {2, 0}, 2, 1).to(cl.device()), out);
        assertArrayEquals(new float[] {3, 4}, out.to(io.jgrad.tensor.Device.CPU).toFloatArray());
        assertEquals(2, out.numel());
    }
}
