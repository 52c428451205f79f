package io.jgrad.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrad.tensor.DType;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/**
 * The launches CudaGemm plans for a product, replayed without a GPU: each GEMM launch as what its kernel computes
 * (C = alpha·A·B + beta·C for every batch of its grid, from the operand structs it is given), and the split-K sum
 * as what gemm_split_sum computes. The replay checks that every grid covers its output, then the result against a
 * plain product: the operand offsets and strides of the slices, the remainder slice, the workspace layout and the
 * batch turns of a split or whole product, at sizes where an H200's 132 SMs make the plan split.
 */
class CudaGemmPlanTest {

    private static final CudaGemm.Device H200 = new CudaGemm.Device(90, 132, false);

    /** Device memory of the replay: a pointer object to its elements. */
    private final Map<Object, double[]> memory = new IdentityHashMap<>();

    private CUdeviceptr allocate(double[] values) {
        CUdeviceptr p = new CUdeviceptr();
        memory.put(p, values);
        return p;
    }

    @Test
    void splitProductsMatchAPlainProduct() {
        Random rnd = new Random(1);
        // {m, n, k}: the ConvNet's conv2 and conv1 weight gradients and fc1 forward at batch 128; a shorter last
        // slice (1000 has no aligned divisor in reach); the small kernel's split.
        int[][] shapes = {{64, 288, 25088}, {32, 9, 100352}, {128, 128, 3136}, {64, 96, 1000}, {3, 5, 4096}, {100, 70, 777}};
        for (int[] s : shapes) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                boolean transA = rnd.nextBoolean(), transB = rnd.nextBoolean();
                double alpha = 1 + rnd.nextInt(3) * 0.5, beta = rnd.nextBoolean() ? 0 : -0.75;
                int launches = check(dtype, s[0], s[1], s[2], 1, transA, transB, alpha, beta, rnd);
                assertTrue(launches == 2 || launches == 3, java.util.Arrays.toString(s) + " " + dtype + ": " + launches + " launches, not a split");
            }
        }
    }

    @Test
    void wholeProductsAndBatchesAreOneLaunchPerBatchTurn() {
        Random rnd = new Random(2);
        assertEquals(1, check(DType.FLOAT32, 300, 200, 100, 1, false, false, 1, 0, rnd), "enough tiles: no split");
        assertEquals(1, check(DType.FLOAT32, 64, 288, 2048, 3, true, false, 1, 0.5, rnd), "batches do not split");
        assertEquals(1, check(DType.FLOAT64, 7, 9, 200, 2, false, true, -1, 0, rnd), "K under two slices");
        assertEquals(2, check(DType.FLOAT32, 2, 3, 5, 65536, false, false, 1, 0, rnd), "65535 batches per launch");
        assertEquals(2, check(DType.FLOAT32, 3, 1_100_000, 2, 1, false, true, 1, 0.5, rnd), "the small kernel's column blocks: 65535 per launch");
    }

    /** A tiled product of more than 65535 row tiles goes in row chunks (planned only: too big to replay here). */
    @Test
    void tallProductsGoInRowChunksOfAtMost65535Tiles() {
        int m = 9_000_000, n = 16, k = 16;
        CUdeviceptr a = new CUdeviceptr(), b = new CUdeviceptr(), c = new CUdeviceptr();
        CudaGemm.Operand ao = new CudaGemm.Operand(a, 0, k, 1, 0), bo = new CudaGemm.Operand(b, 0, n, 1, 0);
        List<CudaGemm.Launch> plan = CudaGemm.launches(DType.FLOAT32, m, n, k, 1, 1, ao, bo, 0, new CudaGemm.Operand(c, 0, n, 1, 0), H200,
                CudaGemm.split(DType.FLOAT32, m, n, k, 1, ao, bo, H200), null);
        assertEquals(2, plan.size());
        int rows = 0;
        for (CudaGemm.Launch l : plan) {
            assertTrue(l.grid()[1] <= 65535, java.util.Arrays.toString(l.grid()));
            assertEquals((long) rows * k, ((long[]) l.args()[3])[0], "A starts at the chunk's first row");
            assertEquals((long) rows * n, ((long[]) l.args()[5])[0], "C starts at the chunk's first row");
            rows += (Integer) l.args()[6];
        }
        assertEquals(m, rows);
    }

    /** Plans and replays one product on operands with offsets and padded strides; returns its launch count. */
    private int check(DType dtype, int m, int n, int k, int batches, boolean transA, boolean transB, double alpha, double beta, Random rnd) {
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 1, ldc = n + 2;
        long strideA = (long) (transA ? k : m) * lda + 1, strideB = (long) (transB ? n : k) * ldb, strideC = (long) m * ldc + 5;
        double[] a = random(rnd, 5 + batches * strideA, dtype), b = random(rnd, 2 + batches * strideB, dtype), c0 = random(rnd, 7 + batches * strideC, dtype);
        CudaGemm.Operand ao = transA ? new CudaGemm.Operand(allocate(a), 5, 1, lda, strideA) : new CudaGemm.Operand(allocate(a), 5, lda, 1, strideA);
        CudaGemm.Operand bo = transB ? new CudaGemm.Operand(allocate(b), 2, 1, ldb, strideB) : new CudaGemm.Operand(allocate(b), 2, ldb, 1, strideB);
        double[] c = c0.clone();
        CudaGemm.Operand co = new CudaGemm.Operand(allocate(c), 7, ldc, 1, strideC);
        var split = CudaGemm.split(dtype, m, n, k, batches, ao, bo, H200);
        double[] workspace = new double[(int) CudaGemm.workspaceElements(m, n, split)];
        java.util.Arrays.fill(workspace, Double.NaN);   // uninitialised: every element must be written before it is read
        List<CudaGemm.Launch> plan = CudaGemm.launches(dtype, m, n, k, batches, alpha, ao, bo, beta, co, H200, split, allocate(workspace));
        for (CudaGemm.Launch l : plan) replay(l);
        String what = dtype + " " + m + "x" + n + "x" + k + " batches " + batches + (transA ? " A^T" : "") + (transB ? " B^T" : "") + " alpha " + alpha + " beta " + beta;
        for (int q = 0; q < batches; q++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0, abs = 0;
                    for (int p = 0; p < k; p++) {
                        double x = a[(int) at(ao, q, i, p)] * b[(int) at(bo, q, p, j)];
                        sum += x;
                        abs += Math.abs(x);
                    }
                    int ci = (int) at(co, q, i, j);
                    double want = alpha * sum + beta * c0[ci];
                    assertTrue(Math.abs(c[ci] - want) <= 1e-9 * (abs + Math.abs(c0[ci])) + 1e-12,
                            what + " batch " + q + " (" + i + ", " + j + "): " + c[ci] + ", want " + want);
                }
            }
        }
        for (int i = 0; i < 7; i++) assertEquals(c0[i], c[i], what + ": wrote before C");
        return plan.size();
    }

    /** What the launch's kernel computes, after checking that its grid covers its output and its argument kinds. */
    private void replay(CudaGemm.Launch l) {
        Object[] x = l.args();
        if (l.kernel() == CudaKernel.SGEMM_SPLIT_SUM || l.kernel() == CudaKernel.DGEMM_SPLIT_SUM) {
            double[] w = memory.get(x[0]), c = memory.get(x[1]);
            long[] cs = (long[]) x[2];
            int m = (Integer) x[3], n = (Integer) x[4], slices = (Integer) x[5];
            double alpha = ((Number) x[6]).doubleValue(), beta = ((Number) x[7]).doubleValue();
            assertTrue((long) l.grid()[0] * l.block()[0] >= (long) m * n, l.kernel() + ": grid under M*N");
            for (int id = 0; id < m * n; id++) {
                double acc = w[id];
                for (int s = 1; s < slices; s++) acc += w[s * m * n + id];
                int at = (int) (cs[0] + (id / n) * cs[1] + (id % n) * cs[2]);
                c[at] = beta == 0 ? alpha * acc : alpha * acc + beta * c[at];
            }
            return;
        }
        double[] a = memory.get(x[0]), b = memory.get(x[1]), c = memory.get(x[2]);
        long[] as = (long[]) x[3], bs = (long[]) x[4], cs = (long[]) x[5];
        int m = (Integer) x[6], n = (Integer) x[7], k = (Integer) x[8];
        double alpha = ((Number) x[9]).doubleValue(), beta = ((Number) x[10]).doubleValue();
        assertEquals(l.kernel().paramKinds(DType.FLOAT32).size(), x.length, l.kernel() + " arguments");
        boolean small = l.kernel() == CudaKernel.SGEMM_SMALL || l.kernel() == CudaKernel.DGEMM_SMALL;
        int[] tile = CudaGemm.outputsPerBlock(l.kernel());
        long rows = small ? (long) l.grid()[0] * l.block()[1] : (long) l.grid()[1] * tile[0];
        long cols = small ? (long) l.grid()[1] * l.block()[0] : (long) l.grid()[0] * tile[1];
        assertTrue(rows >= m && cols >= n && l.grid()[1] <= 65535 && l.grid()[2] <= 65535, l.kernel() + ": grid " + java.util.Arrays.toString(l.grid()) + " for " + m + "x" + n);
        for (int z = 0; z < l.grid()[2]; z++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        acc += a[(int) (as[0] + z * as[3] + i * as[1] + p * as[2])] * b[(int) (bs[0] + z * bs[3] + p * bs[1] + j * bs[2])];
                    }
                    int at = (int) (cs[0] + z * cs[3] + i * cs[1] + j * cs[2]);
                    c[at] = beta == 0 ? alpha * acc : alpha * acc + beta * c[at];
                }
            }
        }
    }

    private static long at(CudaGemm.Operand x, int batch, int r, int c) {
        return x.offset() + batch * x.batchStride() + r * x.rowStride() + c * x.colStride();
    }

    /** Values a float32 product can hold exactly as doubles (so the replay's double sums compare tightly). */
    private static double[] random(Random rnd, long n, DType dtype) {
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = dtype == DType.FLOAT32 ? (float) (rnd.nextDouble() * 2 - 1) : rnd.nextDouble() * 2 - 1;
        return v;
    }
}
