package io.jgrad.kernels.opencl;

import static io.jgrad.kernels.opencl.OpenClTesting.REFERENCE;
import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Backend.matmul through the SGEMM against the reference backend: odd sizes, row-major / column-major /
 * spaced operands, batches (contiguous, expanded, permuted), a strided output, and float64. Tolerances grow
 * with the reduction length K.
 */
class MatmulTest {

    private static final int[] SIDES = {1, 2, 3, 7, 13, 31, 33, 255, 257};

    /** {@code a·b} on both backends (operands given on the host, moved to the device with the same view), compared. */
    private static void check(String what, NDArray a, NDArray b, OpenClTesting.View va, OpenClTesting.View vb) {
        OpenClBackend cl = OpenClTesting.backend();
        NDArray ha = va.of(a), hb = vb.of(b);
        NDArray da = va.of(a.to(cl.device())), db = vb.of(b.to(cl.device()));
        int rank = a.rank();
        int[] shape = ha.shape().clone();
        shape[rank - 1] = hb.shape(rank - 1);
        NDArray expected = NDArray.zeros(a.dtype(), shape), actual = NDArray.zeros(a.dtype(), cl.device(), shape);
        REFERENCE.matmul(ha, hb, expected);
        cl.matmul(da, db, actual);
        int k = ha.shape(rank - 1);
        double eps = a.dtype() == DType.FLOAT32 ? 1e-6 : 1e-14;
        assertMatches(what + " " + va + " x " + vb, expected, actual, 4 * eps * Math.sqrt(k + 1), 4 * eps * (k + 1));
    }

    @Test
    void oddSizesAndLayouts() {
        Random rnd = new Random(11);
        OpenClTesting.View[] views = {OpenClTesting.View.CONTIGUOUS, OpenClTesting.View.TRANSPOSED, OpenClTesting.View.SPACED};
        for (int t = 0; t < 24; t++) {
            int m = SIDES[rnd.nextInt(SIDES.length)], n = SIDES[rnd.nextInt(SIDES.length)], k = SIDES[rnd.nextInt(SIDES.length)];
            OpenClTesting.View va = views[t % 3], vb = views[(t / 3) % 3];
            check("[" + m + "x" + k + "]·[" + k + "x" + n + "]", OpenClTesting.randn(t, DType.FLOAT32, m, k), OpenClTesting.randn(t + 100, DType.FLOAT32, k, n), va, vb);
        }
        check("bigger", OpenClTesting.randn(1, DType.FLOAT32, 300, 513), OpenClTesting.randn(2, DType.FLOAT32, 513, 385),
                OpenClTesting.View.CONTIGUOUS, OpenClTesting.View.TRANSPOSED);
    }

    @Test
    void batches() {
        NDArray a = OpenClTesting.randn(3, DType.FLOAT32, 2, 3, 33, 65), b = OpenClTesting.randn(4, DType.FLOAT32, 2, 3, 65, 17);
        for (OpenClTesting.View v : OpenClTesting.View.values()) check("batched", a, b, v, OpenClTesting.View.CONTIGUOUS);
        check("batched", a, b, OpenClTesting.View.TRANSPOSED, OpenClTesting.View.TRANSPOSED);
        check("batched", a, b, OpenClTesting.View.CONTIGUOUS, OpenClTesting.View.EXPANDED);
    }

    @Test
    void permutedBatchesAndStridedOutput() {
        OpenClBackend cl = OpenClTesting.backend();
        // Batch dims (3, 2) read from a [2, 3, ...] array: their strides do not chain, so the operand is copied first.
        NDArray a = OpenClTesting.randn(5, DType.FLOAT32, 2, 3, 31, 40), b = OpenClTesting.randn(6, DType.FLOAT32, 3, 2, 40, 29);
        NDArray ha = a.permute(1, 0, 2, 3), da = a.to(cl.device()).permute(1, 0, 2, 3);
        NDArray db = b.to(cl.device());
        NDArray expected = NDArray.zeros(DType.FLOAT32, 3, 2, 31, 29);
        REFERENCE.matmul(ha, b, expected);
        // The output is also a permuted view: computed contiguous, then copied into place.
        NDArray outStore = NDArray.zeros(DType.FLOAT32, cl.device(), 2, 3, 31, 29), out = outStore.permute(1, 0, 2, 3);
        cl.matmul(da, db, out);
        assertMatches("permuted batch", expected, out, 1e-4, 1e-4);
        // A strided (every other column) output of plain batches.
        NDArray wide = NDArray.zeros(DType.FLOAT32, cl.device(), 3, 2, 31, 58), spaced = wide.slice(3, 0, 58, 2);
        cl.matmul(ha.contiguous().to(cl.device()), db, spaced);
        assertMatches("spaced output", expected, spaced, 1e-4, 1e-4);
    }

    @Test
    void float64() {
        OpenClBackend cl = OpenClTesting.backend();
        org.junit.jupiter.api.Assumptions.assumeTrue(cl.runtime().info().fp64(), "device has no fp64");
        check("float64", OpenClTesting.randn(7, DType.FLOAT64, 2, 77, 129), OpenClTesting.randn(8, DType.FLOAT64, 2, 129, 65),
                OpenClTesting.View.TRANSPOSED, OpenClTesting.View.CONTIGUOUS);
    }
}
