package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.cpu.NDArrayAssert.assertRejects;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertShape;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertValues;
import static io.jgrad.kernels.cpu.NDArrayAssert.f64;
import static io.jgrad.kernels.cpu.NDArrayAssert.iota;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** torch.matmul semantics: vector promotion, batch broadcasting, strided operands, shape errors. */
class MatmulTest {

    private final Generator gen = new Generator(2024);

    private NDArray randn(int... shape) {
        return NDArray.randn(gen, DType.FLOAT64, shape);
    }

    /** A[m, k] · B[k, n] by the textbook triple loop over get(). */
    private static double[][] naive(NDArray a, NDArray b) {
        int m = a.shape(0), k = a.shape(1), n = b.shape(1);
        double[][] c = new double[m][n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < k; p++) s += a.get(i, p) * b.get(p, j);
            c[i][j] = s;
        }
        return c;
    }

    private static void assertMatrix(double[][] expected, NDArray actual, double tol) {
        assertShape(actual, expected.length, expected.length == 0 ? 0 : expected[0].length);
        for (int i = 0; i < expected.length; i++) for (int j = 0; j < expected[i].length; j++) {
            assertEquals(expected[i][j], actual.get(i, j), tol, "element " + i + "," + j);
        }
    }

    @Test
    void dotProductOfTwoVectorsIsZeroDimensional() {
        NDArray a = f64(new double[] {1, 2, 3}, 3);
        NDArray b = f64(new double[] {4, -5, 6}, 3);
        NDArray d = a.matmul(b);
        assertValues(d, new int[] {}, 12);
    }

    @Test
    void vectorTimesMatrixAndMatrixTimesVector() {
        NDArray m = iota(2, 3);                         // [[0, 1, 2], [3, 4, 5]]
        NDArray v2 = f64(new double[] {1, 10}, 2);
        NDArray v3 = f64(new double[] {1, 10, 100}, 3);
        assertValues(v2.matmul(m), new int[] {3}, 30, 41, 52);
        assertValues(m.matmul(v3), new int[] {2}, 210, 543);
    }

    @Test
    void matrixTimesMatrixMatchesTheTripleLoop() {
        NDArray a = randn(5, 7), b = randn(7, 3);
        assertMatrix(naive(a, b), a.matmul(b), 1e-13);
        NDArray one = randn(1, 4), col = randn(4, 1);
        assertMatrix(naive(one, col), one.matmul(col), 1e-13);
    }

    @Test
    void transposedAndSlicedOperandsAreReadThroughTheirStrides() {
        NDArray a = randn(7, 5).t();                         // [5, 7], strides [1, 5]
        NDArray b = randn(3, 14).slice(1, 0, 14, 2).t();     // [7, 3], strides [2, 14]
        assertMatrix(naive(a, b), a.matmul(b), 1e-13);
        assertMatrix(naive(a.contiguous(), b.contiguous()), a.matmul(b), 1e-13);
        NDArray expandedRow = f64(new double[] {1, 2, 3, 4, 5, 6, 7}, 1, 7).expand(4, 7); // stride 0
        assertMatrix(naive(expandedRow, b), expandedRow.matmul(b), 1e-13);
        NDArray offset = randn(10, 7).narrow(0, 3, 5);       // non-zero offset
        assertMatrix(naive(offset, b), offset.matmul(b), 1e-13);
    }

    @Test
    void batchedMatmulBroadcastsLeadingDims() {
        NDArray a = randn(2, 1, 3, 4);
        NDArray b = randn(5, 4, 2);
        NDArray c = a.matmul(b);
        assertShape(c, 2, 5, 3, 2);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 5; j++) {
            assertMatrix(naive(a.select(0, i).select(0, 0), b.select(0, j)), c.select(0, i).select(0, j), 1e-13);
        }
    }

    @Test
    void batchedMatmulWithPermutedOperands() {
        NDArray a = randn(4, 3, 2).permute(2, 1, 0);  // [2, 3, 4]
        NDArray b = randn(2, 5, 4).transpose(1, 2);   // [2, 4, 5]
        NDArray c = a.matmul(b);
        assertShape(c, 2, 3, 5);
        for (int t = 0; t < 2; t++) assertMatrix(naive(a.select(0, t), b.select(0, t)), c.select(0, t), 1e-13);
    }

    @Test
    void vectorOperandsWithBatchedMatrices() {
        NDArray batch = randn(2, 4, 3);
        NDArray v4 = randn(4), v3 = randn(3);
        NDArray left = v4.matmul(batch);   // [4] x [2, 4, 3] -> [2, 3]
        assertShape(left, 2, 3);
        NDArray right = batch.matmul(v3);  // [2, 4, 3] x [3] -> [2, 4]
        assertShape(right, 2, 4);
        for (int t = 0; t < 2; t++) {
            double[][] l = naive(v4.unsqueeze(0), batch.select(0, t));
            double[][] r = naive(batch.select(0, t), v3.unsqueeze(1));
            for (int j = 0; j < 3; j++) assertEquals(l[0][j], left.get(t, j), 1e-13);
            for (int i = 0; i < 4; i++) assertEquals(r[i][0], right.get(t, i), 1e-13);
        }
    }

    @Test
    void emptyInnerDimGivesZeros() {
        NDArray c = NDArray.zeros(DType.FLOAT64, 2, 0).matmul(NDArray.zeros(DType.FLOAT64, 0, 3));
        assertValues(c, new int[] {2, 3}, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void float32AndInt64Matmul() {
        NDArray a = NDArray.of(new float[] {1, 2, 3, 4}, 2, 2);
        NDArray c = a.matmul(a);
        assertEquals(DType.FLOAT32, c.dtype());
        assertValues(c, new int[] {2, 2}, 7, 10, 15, 22);
        NDArray ints = NDArray.of(new long[] {1, 2, 3, 4}, 2, 2);
        assertEquals(DType.INT64, ints.matmul(ints).dtype());
        assertValues(ints.matmul(ints), new int[] {2, 2}, 7, 10, 15, 22);
    }

    @Test
    void shapeErrorsNameBothShapes() {
        assertRejects(() -> iota(2, 3).matmul(iota(4, 5)), "matmul", "[2, 3]", "[4, 5]");
        assertRejects(() -> iota(3).matmul(iota(4)), "matmul", "[3]", "[4]");
        assertRejects(() -> iota(2, 3).matmul(iota(2)), "matmul", "[2, 3]", "[2]");
        assertRejects(() -> iota(2, 3, 4).matmul(iota(5, 4, 2)), "matmul", "[2, 3, 4]", "[5, 4, 2]");
        assertRejects(() -> NDArray.scalar(DType.FLOAT64, 1).matmul(iota(2)), "matmul", "[]", "[2]");
        assertRejects(() -> iota(2, 2).matmul(NDArray.ones(2, 2)), "matmul", "float64", "float32");
    }
}
