package io.jgrad.kernels.opencl;

import static org.jocl.CL.clReleaseMemObject;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrad.tensor.DType;
import java.util.Random;
import org.jocl.cl_mem;
import org.junit.jupiter.api.Test;

/**
 * The GEMM kernels against a double-precision loop at odd sizes, every transpose combination, offsets,
 * padded leading dimensions, batches, alpha/beta, and a column-major C. Uses the device's default
 * parameters (never the tuner).
 */
class ClGemmTest {
    private static ClGemm gemm;

    private static ClGemm gemm() {
        ClRuntime rt = OpenClTesting.runtime();
        if (gemm == null) gemm = new ClGemm(rt, GemmCandidates.defaultFor(ClDeviceFacts.of(rt.info())));
        return gemm;
    }

    private static final int[] SIDES = {1, 2, 3, 7, 13, 31, 33, 255, 257};

    @Test
    void oddSizesAllTransposes() {
        Random rnd = new Random(1);
        for (int i = 0; i < 40; i++) {
            int m = SIDES[rnd.nextInt(SIDES.length)], n = SIDES[rnd.nextInt(SIDES.length)], k = SIDES[rnd.nextInt(SIDES.length)];
            check(new Case(m, n, k, 1, rnd.nextBoolean(), rnd.nextBoolean(), 1.0, 0.0, false), rnd);
        }
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                check(new Case(257, 255, 33, 1, ta, tb, 1.0, 0.0, false), rnd);
                check(new Case(64, 128, 64, 1, ta, tb, 1.0, 0.0, false), rnd);  // whole tiles only: the vector path
            }
        }
    }

    @Test
    void biggerProducts() {
        Random rnd = new Random(2);
        check(new Case(511, 1021, 385, 1, false, false, 1.0, 0.0, false), rnd);
        check(new Case(512, 512, 512, 1, true, false, 1.0, 0.0, false), rnd);
    }

    @Test
    void batchesAlphaBetaAndColumnMajorOutput() {
        Random rnd = new Random(3);
        check(new Case(33, 31, 65, 5, false, true, 0.5, -2.0, false), rnd);
        check(new Case(129, 67, 40, 3, true, true, 1.5, 1.0, true), rnd);
        check(new Case(3, 7, 2, 4, false, false, 1.0, 0.25, true), rnd);
    }

    /**
     * Single products whose few tiles would leave the compute units idle split K ({@link io.jgrad.tensor.spi.GemmSplit}):
     * the same values as one product, in two launches (three when the last slice is shorter), with alpha, beta, a
     * column-major C, the small kernel and float64; batches and short sums do not split.
     */
    @Test
    void splitK() {
        int saved = ClGemm.plannedComputeUnits;
        ClGemm.plannedComputeUnits = 64; // as a GPU: 128 work-groups wanted
        try {
            Random rnd = new Random(5);
            checkLaunches(new Case(64, 96, 1000, 1, false, false, 1.0, 0.0, false), true, rnd);   // no aligned depth divides 1000
            checkLaunches(new Case(128, 100, 3136, 1, false, true, 1.0, 1.0, false), true, rnd);
            checkLaunches(new Case(13, 9, 4096, 1, true, false, 0.5, -2.0, true), true, rnd);   // the small kernel
            checkLaunches(new Case(33, 70, 777, 1, true, true, -1.0, 0.5, true), true, rnd);
            checkLaunches(new Case(40, 40, 2048, 2, false, false, 1.0, 0.0, false), false, rnd);  // a batch
            checkLaunches(new Case(20, 30, 200, 1, false, false, 1.0, 0.0, false), false, rnd);   // K too short to split
            ClRuntime rt = OpenClTesting.runtime();
            if (rt.info().fp64()) {
                long before = rt.launches();
                checkFloat64(7, 5, 2000, rnd);
                long launches = rt.launches() - before;
                assertTrue(launches == 2 || launches == 3, "float64 split: " + launches + " launches");
            }
        } finally {
            ClGemm.plannedComputeUnits = saved;
        }
    }

    private static void checkLaunches(Case t, boolean splits, Random rnd) {
        ClRuntime rt = OpenClTesting.runtime();
        long before = rt.launches();
        check(t, rnd);
        long launches = rt.launches() - before;
        assertTrue(splits ? launches == 2 || launches == 3 : launches == 1, t + (splits ? " splits" : " does not split") + ": " + launches + " launches");
    }

    @Test
    void float64() {
        ClRuntime rt = OpenClTesting.runtime();
        org.junit.jupiter.api.Assumptions.assumeTrue(rt.info().fp64(), "device has no fp64");
        checkFloat64(77, 129, 100, new Random(4));
    }

    private static void checkFloat64(int m, int n, int k, Random rnd) {
        ClRuntime rt = OpenClTesting.runtime();
        double[] a = randomDoubles(rnd, m * k), b = randomDoubles(rnd, k * n);
        cl_mem ab = ClBuffers.upload(rt, a), bb = ClBuffers.upload(rt, b), cb = ClBuffers.upload(rt, new double[m * n]);
        gemm().gemm(DType.FLOAT64, false, false, m, n, k, 1.0, ab, 0, k, 0, bb, 0, n, 0, 0.0, cb, 0, n, 0, 1);
        double[] c = ClBuffers.doubles(rt, cb, m * n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double want = 0;
                for (int p = 0; p < k; p++) want += a[i * k + p] * b[p * n + j];
                assertTrue(Math.abs(c[i * n + j] - want) <= 1e-12 * k, "float64 (" + i + ", " + j + "): " + c[i * n + j] + " vs " + want);
            }
        }
        for (cl_mem x : new cl_mem[] {ab, bb, cb}) clReleaseMemObject(x);
    }

    /** One product: sizes, batch count, transposes, scalars, and whether C is column-major. */
    record Case(int m, int n, int k, int batches, boolean transA, boolean transB, double alpha, double beta, boolean cColumnMajor) {
    }

    /** Runs the case with offsets and leading dimensions larger than needed, and compares every element. */
    static void check(Case t, Random rnd) {
        ClRuntime rt = OpenClTesting.runtime();
        int aRows = t.transA ? t.k : t.m, aCols = t.transA ? t.m : t.k;
        int bRows = t.transB ? t.n : t.k, bCols = t.transB ? t.k : t.n;
        int lda = aCols + 3, ldb = bCols + 1, ldc = (t.cColumnMajor ? t.m : t.n) + 2;
        int offA = 5, offB = 2, offC = 7;
        int strideA = aRows * lda + 1, strideB = bRows * ldb, strideC = (t.cColumnMajor ? t.n : t.m) * ldc + 3;
        float[] a = randomFloats(rnd, offA + t.batches * strideA), b = randomFloats(rnd, offB + t.batches * strideB);
        float[] c0 = randomFloats(rnd, offC + t.batches * strideC);
        cl_mem ab = ClBuffers.upload(rt, a), bb = ClBuffers.upload(rt, b), cb = ClBuffers.upload(rt, c0);
        GemmOperand ao = GemmOperand.rowMajor(ab, offA, lda, t.transA, strideA), bo = GemmOperand.rowMajor(bb, offB, ldb, t.transB, strideB);
        GemmOperand co = t.cColumnMajor ? new GemmOperand(cb, offC, 1, ldc, strideC) : new GemmOperand(cb, offC, ldc, 1, strideC);
        gemm().gemm(DType.FLOAT32, t.m, t.n, t.k, t.batches, t.alpha, ao, bo, t.beta, co);
        float[] c = ClBuffers.floats(rt, cb, c0.length);
        for (int q = 0; q < t.batches; q++) {
            for (int i = 0; i < t.m; i++) {
                for (int j = 0; j < t.n; j++) {
                    double sum = 0, abs = 0;
                    for (int p = 0; p < t.k; p++) {
                        double x = a[at(ao, q, i, p)] * (double) b[at(bo, q, p, j)];
                        sum += x;
                        abs += Math.abs(x);
                    }
                    int ci = at(co, q, i, j);
                    double want = t.alpha * sum + t.beta * c0[ci];
                    double tol = 1e-6 * (t.k + 4) * (Math.abs(t.alpha) * abs + Math.abs(t.beta * c0[ci])) + 1e-30;
                    if (!(Math.abs(c[ci] - want) <= tol))
                        throw new AssertionError(t + " batch " + q + " (" + i + ", " + j + "): got " + c[ci] + ", want " + want);
                }
            }
        }
        // Elements of C outside the matrices are untouched.
        for (int i = 0; i < offC; i++) assertTrue(c[i] == c0[i], t + ": wrote before C's offset");
        for (cl_mem x : new cl_mem[] {ab, bb, cb}) clReleaseMemObject(x);
    }

    private static int at(GemmOperand x, int batch, int r, int c) {
        return x.offset() + batch * x.batchStride() + r * x.rowStride() + c * x.colStride();
    }

    static float[] randomFloats(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    private static double[] randomDoubles(Random rnd, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextDouble() * 2 - 1;
        return x;
    }
}
