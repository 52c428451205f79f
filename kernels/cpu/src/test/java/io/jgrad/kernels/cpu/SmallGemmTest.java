package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.assertBitwise;
import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The few-row product that reads B in place ({@link SmallGemm}) against the reference: m = 0..5 around its
 * limit, odd k and n (vector tails, a partial 4-column group), B row-major and transposed (Linear's Wᵀ), strided
 * and offset operands and output, k = 0, and the batch folded into rows when B is shared.
 */
class SmallGemmTest {

    private final Generator gen = new Generator(11);

    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({"1, 1, 1", "1, 784, 128", "1, 128, 10", "2, 17, 3", "3, 31, 67", "4, 256, 1024", "5, 33, 65",
            "1, 15, 17", "2, 16, 16", "3, 300, 129", "4, 1, 63", "1, 4099, 5"})
    void matchesTheReferenceForEveryLayoutOfB(int m, int k, int n) {
        NDArray a = randn(gen, m, k), b = randn(gen, k, n), bt = randn(gen, n, k).t();
        String shape = m + "x" + k + "x" + n;
        VectorGemmTest.check(a, b, zeros(m, n), shape + " B row-major");
        VectorGemmTest.check(a, bt, zeros(m, n), shape + " B transposed");
        VectorGemmTest.check(VectorChecks.transposed(a), bt, zeros(m, n), shape + " A column-major, B transposed");
        VectorGemmTest.check(VectorChecks.spaced(a), VectorChecks.spaced(b), VectorChecks.spaced(zeros(m, n)), shape + " spaced");
        VectorGemmTest.check(VectorChecks.spaced(a), bt, zeros(n, m).t(), shape + " spaced A, transposed B and C");
    }

    @Test
    void rowMajorBHasTheBitsOfThePackedProduct() {
        // One row of a 6-row product (packed path) against the same row alone (the few-row path).
        NDArray a = randn(gen, 6, 1500), b = randn(gen, 1500, 200);
        NDArray all = zeros(6, 200);
        VECTOR.matmul(a, b, all);
        for (int rows : new int[] {1, 2, 3, 4}) {
            NDArray few = zeros(rows, 200);
            VECTOR.matmul(a.narrow(0, 0, rows), b, few);
            assertBitwise(all.narrow(0, 0, rows).contiguous(), few, rows + " rows");
        }
    }

    @Test
    void emptyDimsAndZeroDepth() {
        NDArray out = NDArray.full(DType.FLOAT32, 5, 3, 4);
        VECTOR.matmul(zeros(3, 0), zeros(0, 4), out);
        assertBitwise(zeros(3, 4), out, "k = 0");
        NDArray outT = NDArray.full(DType.FLOAT32, 5, 1, 7);
        VECTOR.matmul(zeros(1, 0), zeros(7, 0).t(), outT);
        assertBitwise(zeros(1, 7), outT, "k = 0, B transposed");
        VectorGemmTest.check(randn(gen, 0, 9), randn(gen, 9, 5), zeros(0, 5), "m = 0");
        VectorGemmTest.check(randn(gen, 2, 9), randn(gen, 9, 0), zeros(2, 0), "n = 0");
    }

    @Test
    void sharedBFoldsTheBatchIntoRows() {
        NDArray w = randn(gen, 40, 33);
        VectorGemmTest.check(randn(gen, 3, 5, 33), w.t().expand(3, 33, 40), zeros(3, 5, 40), "[3, 5, 33]·Wᵀ");
        VectorGemmTest.check(randn(gen, 1, 1, 33), w.t().expand(1, 33, 40), zeros(1, 1, 40), "[1, 1, 33]·Wᵀ (few rows)");
        VectorGemmTest.check(randn(gen, 2, 5, 33).transpose(0, 1), w.t().expand(5, 33, 40), zeros(5, 2, 40), "batch not foldable");
        VectorGemmTest.check(randn(gen, 4, 2, 33), w.t().expand(4, 33, 40), zeros(4, 40, 2).transpose(1, 2), "result not foldable");
    }

    /** The point of the path: a batch-1 Linear (and a few-row product) never packs its weight. */
    @Test
    void fewRowProductsDoNotPackB() {
        NDArray w = randn(gen, 128, 784);
        long before = VectorGemm.B_PACKINGS.sum();
        for (int rows = 1; rows <= SmallGemm.MAX_ROWS; rows++) VECTOR.matmul(randn(gen, rows, 784), w.t(), zeros(rows, 128));
        VECTOR.matmul(randn(gen, 3, 128), randn(gen, 128, 70), zeros(3, 70));
        assertEquals(before, VectorGemm.B_PACKINGS.sum(), "few-row products packed B");
        VECTOR.matmul(randn(gen, 5, 784), randn(gen, 784, 70), zeros(5, 70));
        assertTrue(VectorGemm.B_PACKINGS.sum() > before, "five rows take the packed product");
    }

    @Test
    void suitsOnlyFewRowsWithAUnitStrideInB() {
        assertTrue(SmallGemm.suits(1, 128, 1));
        assertTrue(SmallGemm.suits(4, 1, 784));
        assertFalse(SmallGemm.suits(5, 1, 784));
        assertFalse(SmallGemm.suits(0, 1, 784));
        assertFalse(SmallGemm.suits(2, 3, 5));
        assertEquals(4, SmallGemm.MAX_ROWS);
    }
}
