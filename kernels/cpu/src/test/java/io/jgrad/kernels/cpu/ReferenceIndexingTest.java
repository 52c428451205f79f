package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.TestArrays.assertClose;
import static io.jgrad.kernels.cpu.TestArrays.assertSameValues;
import static io.jgrad.kernels.cpu.TestArrays.assertValues;
import static io.jgrad.kernels.cpu.TestArrays.counting;
import static io.jgrad.kernels.cpu.TestArrays.dot;
import static io.jgrad.kernels.cpu.TestArrays.f64;
import static io.jgrad.kernels.cpu.TestArrays.longs;
import static io.jgrad.kernels.cpu.TestArrays.randn;
import static io.jgrad.kernels.cpu.TestArrays.randomIndex;
import static io.jgrad.kernels.cpu.TestArrays.spacedView;
import static io.jgrad.kernels.cpu.TestArrays.transposedView;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

class ReferenceIndexingTest {

    // ---- gather / scatterAdd, by hand -----------------------------------------------------------

    @Test
    void gatherAlongEitherDim() {
        // torch.gather's documentation example: x = [[1 2] [3 4]].
        NDArray x = counting(2, 2);
        assertValues(new double[] {1, 1, 4, 3}, x.gather(1, longs(new long[] {0, 0, 1, 0}, 2, 2)), 0);
        assertValues(new double[] {1, 4, 3, 2}, x.gather(0, longs(new long[] {0, 1, 1, 0}, 2, 2)), 0);
        assertValues(new double[] {2, 3}, x.gather(-1, longs(new long[] {1, 0}, 2, 1)), 0);
    }

    @Test
    void gatherWithAnIndexSmallerThanTheInput() {
        // x = 1..12 as 3x4; a [2, 3] index along dim 0 reads columns 0..2 only: out[i][j] = x[index[i][j]][j].
        NDArray x = counting(3, 4);
        NDArray out = x.gather(0, longs(new long[] {2, 0, 1, 1, 1, 2}, 2, 3));
        assertArrayEquals(new int[] {2, 3}, out.shape());
        assertValues(new double[] {9, 2, 7, 5, 6, 11}, out, 0);
    }

    @Test
    void gatherOfAScalar() {
        assertValues(new double[] {7}, NDArray.scalar(DType.FLOAT64, 7).gather(0, NDArray.of(new long[] {0})), 0);
    }

    @Test
    void scatterAddAlongRows() {
        // target[index[i][j]][j] += src[i][j] with src = ones(2, 5) into zeros(3, 5).
        NDArray index = longs(new long[] {0, 1, 2, 0, 0, 2, 0, 0, 1, 2}, 2, 5);
        NDArray out = NDArray.zeros(DType.FLOAT64, 3, 5).scatterAdd(0, index, NDArray.ones(DType.FLOAT64, 2, 5));
        assertValues(new double[] {1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}, out, 0);
    }

    @Test
    void scatterAddSumsRepeatedIndicesAndKeepsTheTarget() {
        // Three values into column 0 of row 0, on top of the existing 100; src is larger than index.
        NDArray target = f64(new double[] {100, 200, 300, 400}, 2, 2);
        NDArray src = counting(2, 4);
        NDArray out = target.scatterAdd(1, longs(new long[] {0, 0, 0}, 1, 3), src);
        assertValues(new double[] {106, 200, 300, 400}, out, 0);
        assertValues(new double[] {100, 200, 300, 400}, target, 0); // the facade adds into a copy
    }

    @Test
    void scatterAddRoundsFloat32Once() {
        // 1 + 2^-24 rounds back to 1 in float32, but 1 + (2^-24 + 2^-24) = 1 + 2^-23 is representable.
        float tiny = (float) Math.scalb(1.0, -24);
        NDArray out = NDArray.of(new float[] {1}, 1).scatterAdd(0, longs(new long[] {0, 0}, 2), NDArray.of(new float[] {tiny, tiny}, 2));
        assertEquals(1.0f + 2 * tiny, (float) out.get(0));
        assertEquals(Math.nextUp(1.0f), (float) out.get(0));
    }

    // ---- indexSelect / indexAdd, by hand --------------------------------------------------------

    @Test
    void indexSelectRowsAndRepeatedColumns() {
        NDArray x = counting(3, 4);
        assertValues(new double[] {1, 2, 3, 4, 9, 10, 11, 12}, x.indexSelect(0, longs(new long[] {0, 2}, 2)), 0);
        NDArray cols = x.indexSelect(1, longs(new long[] {1, 1, 3}, 3));
        assertArrayEquals(new int[] {3, 3}, cols.shape());
        assertValues(new double[] {2, 2, 4, 6, 6, 8, 10, 10, 12}, cols, 0);
        assertArrayEquals(new int[] {0, 4}, x.indexSelect(0, NDArray.of(new long[0], 0)).shape());
    }

    @Test
    void indexSelectOfAScalarAndWithAScalarIndex() {
        NDArray out = NDArray.scalar(DType.FLOAT64, 5).indexSelect(0, NDArray.of(new long[] {0}, 1));
        assertEquals(0, out.rank());
        assertEquals(5, out.item());
        assertValues(new double[] {5, 6, 7, 8}, counting(3, 4).indexSelect(0, NDArray.of(new long[] {1})), 0);
    }

    @Test
    void indexAddSumsRepeatedSlices() {
        NDArray src = counting(3, 2);
        NDArray out = NDArray.ones(DType.FLOAT64, 3, 2).indexAdd(0, longs(new long[] {0, 2, 0}, 3), src);
        assertValues(new double[] {1 + 1 + 5, 1 + 2 + 6, 1, 1, 1 + 3, 1 + 4}, out, 0);
        NDArray cols = NDArray.zeros(DType.FLOAT64, 2, 3).indexAdd(1, longs(new long[] {2, 2}, 2), counting(2, 2));
        assertValues(new double[] {0, 0, 3, 0, 0, 7}, cols, 0);
    }

    @Test
    void indexAddIntoAScalar() {
        NDArray out = NDArray.scalar(DType.FLOAT64, 1).indexAdd(0, longs(new long[] {0}, 1), NDArray.scalar(DType.FLOAT64, 2));
        assertEquals(3, out.item());
        assertThrows(IllegalArgumentException.class,
                () -> NDArray.scalar(DType.FLOAT64, 1).indexAdd(0, longs(new long[] {0, 0}, 2), NDArray.scalar(DType.FLOAT64, 2)));
    }

    @Test
    void int64ValuesAreCopiedExactly() {
        // 2^53 + 1 does not survive a trip through double.
        long big = (1L << 53) + 1;
        NDArray x = longs(new long[] {big, 3}, 2);
        assertEquals(big, x.gather(0, longs(new long[] {0}, 1)).getLong(0));
        assertEquals(big, x.indexSelect(0, longs(new long[] {1, 0}, 2)).getLong(1));
    }

    // ---- adjoint identities ---------------------------------------------------------------------

    /** {@code <gather(x, index), s> = <x, scatterAdd(0, index, s)>}: scatterAdd is gather's adjoint. */
    @Test
    void scatterAddIsTheAdjointOfGather() {
        Generator gen = new Generator(21);
        int[][] shapes = {{5}, {4, 6}, {3, 4, 5}, {2, 3, 4, 3}};
        for (int[] shape : shapes) {
            for (int dim = 0; dim < shape.length; dim++) {
                // index: same rank, at most x's size off dim (here one less where possible), any size along dim.
                int[] indexShape = shape.clone();
                for (int d = 0; d < shape.length; d++) indexShape[d] = d == dim ? 2 * shape[d] + 1 : Math.max(1, shape[d] - 1);
                NDArray x = randn(gen, shape), index = randomIndex(gen, shape[dim], indexShape), s = randn(gen, indexShape);
                double forward = dot(x.gather(dim, index), s);
                double adjoint = dot(x, NDArray.zeros(DType.FLOAT64, shape).scatterAdd(dim, index, s));
                assertClose(forward, adjoint, 1e-9, "gather/scatterAdd " + java.util.Arrays.toString(shape) + " dim " + dim);
            }
        }
    }

    /** {@code <indexSelect(x, index), s> = <x, indexAdd(0, index, s)>}. */
    @Test
    void indexAddIsTheAdjointOfIndexSelect() {
        Generator gen = new Generator(22);
        int[][] shapes = {{5}, {4, 6}, {3, 4, 5}, {2, 3, 4, 3}};
        for (int[] shape : shapes) {
            for (int dim = 0; dim < shape.length; dim++) {
                int k = 2 * shape[dim] + 1; // more picks than slices: repeats are certain
                NDArray x = randn(gen, shape), index = randomIndex(gen, shape[dim], k);
                NDArray selected = x.indexSelect(dim, index);
                NDArray s = randn(gen, selected.shape());
                double forward = dot(selected, s);
                double adjoint = dot(x, NDArray.zeros(DType.FLOAT64, shape).indexAdd(dim, index, s));
                assertClose(forward, adjoint, 1e-9, "indexSelect/indexAdd " + java.util.Arrays.toString(shape) + " dim " + dim);
            }
        }
    }

    // ---- strided views --------------------------------------------------------------------------

    @Test
    void stridedArgumentsGiveTheSameResultsAsContiguousCopies() {
        Generator gen = new Generator(23);
        NDArray x = randn(gen, 4, 5, 6);
        NDArray index = randomIndex(gen, 5, 3, 7, 4);
        NDArray src = randn(gen, 3, 7, 4);
        NDArray index1d = randomIndex(gen, 5, 8);
        NDArray slices = randn(gen, 4, 8, 6);
        NDArray target = randn(gen, 4, 5, 6);

        NDArray[] xs = {transposedView(x), spacedView(x), x.permute(2, 0, 1).copy().permute(1, 2, 0)};
        for (NDArray xv : xs) {
            assertSameValues(x.gather(1, index), xv.gather(1, transposedView(index)), 0);
            assertSameValues(x.indexSelect(1, index1d), xv.indexSelect(1, spacedView(index1d)), 0);
            assertSameValues(target.scatterAdd(1, index, src), transposedView(target).scatterAdd(1, spacedView(index), transposedView(src)), 1e-15);
            assertSameValues(target.indexAdd(1, index1d, slices), spacedView(target).indexAdd(1, spacedView(index1d), spacedView(slices)), 1e-15);
        }

        // An expanded (stride 0) input and a sliced index.
        NDArray expanded = randn(gen, 1, 5, 6).expand(4, 5, 6);
        NDArray bigIndex = randomIndex(gen, 5, 6, 9, 8);
        NDArray slicedIndex = bigIndex.slice(0, 1, 6, 2).slice(1, 2, 9).slice(2, 0, 8, 2);
        assertSameValues(expanded.contiguous().gather(1, slicedIndex.contiguous()), expanded.gather(1, slicedIndex), 0);
        assertSameValues(expanded.contiguous().indexSelect(2, index1d), expanded.indexSelect(2, index1d), 0);
    }

    @Test
    void kernelsWriteIntoStridedTargets() {
        // Called directly: the facade would hand the kernels contiguous copies.
        Generator gen = new Generator(24);
        var backend = new ReferenceBackend();
        NDArray x = randn(gen, 4, 5, 6), index = randomIndex(gen, 5, 3, 7, 4), src = randn(gen, 3, 7, 4);
        NDArray index1d = randomIndex(gen, 5, 8), slices = randn(gen, 4, 8, 6);

        NDArray out = transposedView(NDArray.full(DType.FLOAT64, Double.NaN, 3, 7, 4));
        backend.gather(x, 1, index, out);
        assertSameValues(x.gather(1, index), out, 0);

        NDArray selected = spacedView(NDArray.full(DType.FLOAT64, Double.NaN, 4, 8, 6));
        backend.indexSelect(x, 1, index1d, selected);
        assertSameValues(x.indexSelect(1, index1d), selected, 0);

        NDArray target = transposedView(x);
        backend.scatterAdd(target, 1, index, src);
        assertSameValues(x.scatterAdd(1, index, src), target, 1e-15);

        NDArray target2 = spacedView(x);
        backend.indexAdd(target2, 1, index1d, slices);
        assertSameValues(x.indexAdd(1, index1d, slices), target2, 1e-15);
    }
}
