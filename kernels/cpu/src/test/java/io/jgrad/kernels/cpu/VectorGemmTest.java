package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.assertBitwise;
import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;

import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The vector SGEMM against the reference matmul: odd sizes, block edges, transposes, batches, strided views. */
class VectorGemmTest {

    private final Generator gen = new Generator(3);

    /** Relative to {@code Σ_k |a_ik·b_kj|}, the bound rounding errors of a dot product of length k grow with. */
    static double tolerance(int k) {
        return 2e-6 * Math.sqrt(Math.max(k, 1));
    }

    /** Checks {@code vector.matmul(a, b)} against the reference on the same (possibly strided) operands. */
    static NDArray check(NDArray a, NDArray b, NDArray out, String what) {
        NDArray expected = zeros(out.shape()), scale = zeros(out.shape());
        REFERENCE.matmul(a, b, expected);
        REFERENCE.matmul(a.abs(), b.abs(), scale);
        VECTOR.matmul(a, b, out);
        VectorChecks.assertClose(expected, out, scale, tolerance(a.shape(-1)), what);
        return out;
    }

    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({
            "1, 1, 1", "1, 257, 1", "2, 3, 7", "3, 1, 2", "7, 13, 31", "13, 31, 33", "31, 33, 1", "1, 1021, 257",
            "33, 7, 255", "257, 255, 33", "6, 256, 32", "97, 257, 65", "96, 512, 2049", "5, 1000, 4099"})
    void allTransposeCombinations(int m, int k, int n) {
        NDArray a = randn(gen, m, k), b = randn(gen, k, n);
        NDArray at = randn(gen, k, m).t(), bt = randn(gen, n, k).t();
        String shape = m + "x" + k + "x" + n;
        check(a, b, zeros(m, n), shape + " NN");
        check(at, b, zeros(m, n), shape + " TN");
        check(a, bt, zeros(m, n), shape + " NT");
        check(at, bt, zeros(m, n), shape + " TT");
    }

    @Test
    void emptyInnerDimensionGivesZeros() {
        NDArray out = NDArray.full(io.jgrad.tensor.DType.FLOAT32, 7, 3, 4);
        VECTOR.matmul(zeros(3, 0), zeros(0, 4), out);
        assertBitwise(zeros(3, 4), out, "k = 0");
    }

    @Test
    void stridedAndOffsetOperandsAndOutput() {
        NDArray a = VectorChecks.spaced(randn(gen, 37, 45)), b = VectorChecks.spaced(randn(gen, 45, 70));
        check(a, b, zeros(37, 70), "spaced operands");
        check(VectorChecks.transposed(randn(gen, 37, 45)), b, zeros(70, 37).t(), "transposed output");
        check(a, b, VectorChecks.spaced(zeros(37, 70)), "spaced output");
    }

    @Test
    void batchedAndBroadcastBatches() {
        check(randn(gen, 3, 19, 40), randn(gen, 3, 40, 23), zeros(3, 19, 23), "batch 3");
        check(randn(gen, 2, 3, 5, 8), randn(gen, 2, 3, 8, 9), zeros(2, 3, 5, 9), "batch 2x3");
        check(randn(gen, 19, 40).expand(4, 19, 40), randn(gen, 4, 40, 23), zeros(4, 19, 23), "a broadcast over the batch");
        check(randn(gen, 4, 19, 40), randn(gen, 40, 23).expand(4, 40, 23), zeros(4, 19, 23), "b broadcast over the batch");
        check(randn(gen, 2, 1, 7, 9).expand(2, 3, 7, 9), randn(gen, 1, 3, 9, 300).expand(2, 3, 9, 300).transpose(0, 1).transpose(0, 1),
                zeros(2, 3, 7, 300), "mixed broadcast");
        check(randn(gen, 2, 64, 300), randn(gen, 2, 300, 70), zeros(2, 64, 70), "batch smaller than the pool, split within");
    }

    /**
     * Ragged last panels of the 4x4 block: one or two vectors of columns (the narrow kernel), and just past
     * two (the 4x4 kernel over padding). Each column has the same bits as in a product whose panels are all
     * full, since every element is the same chain of fused multiply-adds.
     */
    @ParameterizedTest(name = "n = 64 + {0}")
    @CsvSource({"1", "4", "15", "16", "17", "31", "32", "33", "48", "63"})
    void narrowLastPanelMatchesTheReferenceAndTheFullKernel(int tail) {
        int lanes = VectorGemm.LANES, n = 4 * lanes + tail * lanes / 16, m = 37, k = 301;
        NDArray a = randn(gen, m, k), b = randn(gen, k, 8 * lanes);
        NDArray ragged = check(a, b.slice(1, 0, n), zeros(m, n), "n = " + n);
        NDArray full = zeros(m, 8 * lanes);
        VECTOR.matmul(a, b, full);
        assertBitwise(full.slice(1, 0, n).contiguous(), ragged, "ragged against full panels");
    }

    @Test
    void sameBitsEveryTimeAndForEveryThreadCount() {
        NDArray a = randn(gen, 150, 300), b = randn(gen, 300, 3000);
        NDArray first = zeros(150, 3000), again = zeros(150, 3000);
        VECTOR.matmul(a, b, first);
        VECTOR.matmul(a, b, again);
        assertBitwise(first, again, "repeated call");
        for (int threads : new int[] {1, 3}) {
            NDArray other = zeros(150, 3000);
            new VectorBackend(threads).matmul(a, b, other);
            assertBitwise(first, other, threads + " threads");
        }
    }

    /**
     * Products with at least 4·MC rows per thread take the shared-panel path on 2 and 3 threads (B packed once
     * per step by all threads, A in row blocks); k > KC and n > NC give several (jc, pc) steps, and A is a
     * transposed view. Same values as the reference, and the bits of one thread.
     */
    @Test
    void largeProductsSharePackedPanelsAcrossThreadsWithTheBitsOfOneThread() {
        int[][] shapes = {{400, 300, 1100}, {300, 1100, 70}, {389, 1031, 1025}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            NDArray a = randn(gen, k, m).transpose(0, 1), b = randn(gen, k, n);
            NDArray one = zeros(m, n);
            new VectorBackend(1).matmul(a, b, one);
            if ((long) m * n * k < 200_000_000L) check(a, b, zeros(m, n), m + "x" + n + "x" + k);
            for (int threads : new int[] {2, 3}) {
                NDArray other = zeros(m, n);
                new VectorBackend(threads).matmul(a, b, other);
                assertBitwise(one, other, m + "x" + n + "x" + k + " on " + threads + " threads");
            }
        }
    }

    /**
     * The 8x2 block's edges (m·n >= 256², rows in panels of 8, columns in panels of 2 vectors) and the blocking
     * edges just around KC (k), MC (rows of an A block) and NC (columns of a B panel): same values as the
     * reference, on one thread and on two (the shared-panel path), with the bits of one thread.
     */
    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({
            "257, 255, 281", "263, 1023, 257", "264, 1025, 263", "265, 1024, 260",
            "280, 40, 1023", "287, 41, 1025", "288, 31, 1057", "23, 7, 3000", "25, 9, 2900", "48, 17, 1400"})
    void eightByTwoBlockAndBlockingEdges(int m, int k, int n) {
        NDArray a = randn(gen, m, k), b = randn(gen, k, n);
        NDArray one = zeros(m, n);
        new VectorBackend(1).matmul(a, b, one);
        check(a, b, zeros(m, n), m + "x" + k + "x" + n);
        NDArray two = zeros(m, n);
        new VectorBackend(2).matmul(a, b, two);
        assertBitwise(one, two, m + "x" + k + "x" + n + " on 2 threads");
    }

    /**
     * Full blocks of unit-stride C are stored straight from the micro-kernel's registers; ragged, strided and
     * offset ones go through the tile. Either adds each block's sum to C with one rounding, so a product has
     * the same bits whichever way its blocks are written: a transposed output (every block through the tile)
     * against a contiguous one, and a ragged product against the matching part of one made of full blocks.
     */
    @Test
    void directAndTiledWriteBackGiveTheSameBits() {
        int m = 8 * 40, k = 1500, n = 32 * 11;   // k > KC: the second depth block adds to C
        NDArray a = randn(gen, m, k), b = randn(gen, k, n);
        NDArray direct = zeros(m, n), tiled = zeros(n, m).t();
        new VectorBackend(1).matmul(a, b, direct);
        new VectorBackend(1).matmul(a, b, tiled);
        assertBitwise(direct, tiled.contiguous(), "transposed output");
        NDArray ragged = zeros(m - 5, n - 7);
        new VectorBackend(1).matmul(a.slice(0, 0, m - 5), b.slice(1, 0, n - 7), ragged);
        assertBitwise(direct.slice(0, 0, m - 5).slice(1, 0, n - 7).contiguous(), ragged, "ragged edges");
    }

    /** The 8-row packing of A (full and ragged panels) against the layout it documents. */
    @ParameterizedTest(name = "kc = {0}")
    @CsvSource({"1", "15", "16", "17", "47", "48", "1000"})
    void eightRowPanelsOfAArePackedInPanelOrder(int kc) {
        int rs = kc + 3, off = 5, m = 19;   // two full panels of 8 rows and a ragged one of 3
        float[] a = new float[off + m * rs];
        for (int i = 0; i < a.length; i++) a[i] = i * 0.5f - 7;
        float[] packed = new float[VectorGemm.roundUp(m, 8) * kc + 9];
        java.util.Arrays.fill(packed, Float.NaN);
        VectorGemm.packA(m, kc, a, off, rs, 1, packed, 9, 8);
        for (int i = 0; i < VectorGemm.roundUp(m, 8); i++) {
            for (int p = 0; p < kc; p++) {
                float expected = i < m ? a[off + i * rs + p] : 0f;
                org.junit.jupiter.api.Assertions.assertEquals(expected, packed[9 + (i / 8) * 8 * kc + p * 8 + i % 8], "row " + i + ", column " + p);
            }
        }
    }
}
