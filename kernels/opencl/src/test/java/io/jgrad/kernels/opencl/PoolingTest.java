package io.jgrad.kernels.opencl;

import static io.jgrad.kernels.opencl.OpenClTesting.REFERENCE;
import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.PoolParams;
import org.junit.jupiter.api.Test;

/**
 * Max and average pooling and their gradients against the reference backend: odd shapes, overlapping windows,
 * padding, ties, NaN and -infinity (the indices must be PyTorch's), and strided views.
 */
class PoolingTest {

    private static final PoolParams[] PARAMS = {PoolParams.of(2, 2, 0), PoolParams.of(3, 2, 1), new PoolParams(3, 2, 1, 2, 1, 1), PoolParams.of(3, 1, 1)};

    /** Values in [-2, 2] rounded to halves (many ties), with a NaN and -infinities written in. */
    private static NDArray input(DType dtype, int n, int c, int h, int w, boolean specials) {
        double[] v = OpenClTesting.randn(n * 31L + h, DType.FLOAT64, n, c, h, w).toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.round(Math.max(-2, Math.min(2, v[i])) * 2) / 2.0;
        if (specials) {
            v[v.length / 3] = Double.NaN;
            for (int i = 0; i < Math.min(v.length, 2 * w); i++) v[i] = Double.NEGATIVE_INFINITY; // a first row of -inf
        }
        return NDArray.of(v, n, c, h, w).to(dtype);
    }

    @Test
    void maxAndAverageMatchTheReference() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (PoolParams p : PARAMS) {
                for (int[] s : new int[][] {{2, 3, 7, 9}, {1, 2, 13, 5}, {3, 1, 4, 4}}) {
                    for (boolean strided : new boolean[] {false, true}) check(dtype, p, s, strided);
                }
            }
        }
    }

    private static void check(DType dtype, PoolParams p, int[] s, boolean strided) {
        OpenClBackend cl = OpenClTesting.backend();
        if (dtype == DType.FLOAT64 && !cl.runtime().info().fp64()) return;
        OpenClTesting.View view = strided ? OpenClTesting.View.TRANSPOSED : OpenClTesting.View.CONTIGUOUS;
        NDArray in = input(dtype, s[0], s[1], s[2], s[3], true);
        NDArray dIn = view.of(in.to(cl.device()));
        int outH = p.outH(s[2]), outW = p.outW(s[3]);
        PoolGeometry geo = PoolGeometry.of(s, p);
        String what = dtype + " " + p + " " + java.util.Arrays.toString(s) + " " + view;

        NDArray out = NDArray.zeros(dtype, s[0], s[1], outH, outW), idx = NDArray.zeros(DType.INT64, s[0], s[1], outH, outW);
        NDArray dOut = NDArray.zeros(dtype, cl.device(), s[0], s[1], outH, outW), dIdx = NDArray.zeros(DType.INT64, cl.device(), s[0], s[1], outH, outW);
        REFERENCE.maxPool2d(in, geo, out, idx);
        cl.maxPool2d(dIn, geo, dOut, dIdx);
        assertMatches("max " + what, out, dOut, 0, 0);
        assertMatches("max indices " + what, idx, dIdx, 0, 0);

        NDArray gradOut = OpenClTesting.randn(9, dtype, s[0], s[1], outH, outW), dGradOut = view.of(gradOut.to(cl.device()));
        NDArray gi = NDArray.zeros(dtype, s), dGi = NDArray.full(dtype, Double.NaN, s).to(cl.device());
        REFERENCE.maxPool2dBackward(gradOut, idx, gi);
        cl.maxPool2dBackward(dGradOut, dIdx, dGi);
        assertMatches("max backward " + what, gi, dGi, 1e-6, 1e-6);

        // By input cell with the geometry, plain and masked by a pooled ReLU output (<= 0, NaN and -inf among the
        // pooled values here; a NaN gradient under a closed mask stays NaN, as the binary op's product keeps it).
        double[] g = gradOut.toDoubleArray();
        g[g.length / 2] = Double.NaN;
        NDArray gradNaN = NDArray.of(g, gradOut.shape()).to(dtype), dGradNaN = view.of(gradNaN.to(cl.device()));
        for (NDArray mask : new NDArray[] {null, out}) {
            NDArray routed = mask == null ? gradNaN : gradNaN.binary(io.jgrad.tensor.spi.BinaryOp.RELU_BACKWARD, mask);
            NDArray want = NDArray.zeros(dtype, s), dGot = NDArray.full(dtype, Double.NaN, s).to(cl.device());
            REFERENCE.maxPool2dBackward(routed, idx, want);
            cl.maxPool2dBackward(dGradNaN, dIdx, geo, mask == null ? null : view.of(mask.to(cl.device())), dGot);
            assertMatches("max backward by cell" + (mask == null ? " " : " masked ") + what, want, dGot, 1e-6, 1e-6);
        }

        NDArray finite = input(dtype, s[0], s[1], s[2], s[3], false), dFinite = view.of(finite.to(cl.device()));
        NDArray avg = NDArray.zeros(dtype, s[0], s[1], outH, outW), dAvg = NDArray.zeros(dtype, cl.device(), s[0], s[1], outH, outW);
        REFERENCE.avgPool2d(finite, geo, avg);
        cl.avgPool2d(dFinite, geo, dAvg);
        assertMatches("avg " + what, avg, dAvg, 1e-6, 1e-6);

        NDArray ga = NDArray.zeros(dtype, s), dGa = NDArray.full(dtype, Double.NaN, s).to(cl.device());
        REFERENCE.avgPool2dBackward(gradOut, geo, ga);
        cl.avgPool2dBackward(dGradOut, geo, dGa);
        assertMatches("avg backward " + what, ga, dGa, 1e-6, 1e-6);
    }
}
