package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static io.jgrad.kernels.opencl.OpenClTesting.REFERENCE;
import static io.jgrad.kernels.opencl.OpenClTesting.SIZES;
import static io.jgrad.kernels.opencl.OpenClTesting.assertMatches;
import static io.jgrad.kernels.opencl.OpenClTesting.ulps;

/** copy, fill, every unary and binary op, and where against the reference backend, at odd sizes and through strided views. */
class ElementwiseTest {

    private static final Set<UnaryOp> INTEGRAL_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.SQUARE, UnaryOp.RELU, UnaryOp.CLAMP);
    private static final double[] SPECIALS = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1e-30, -50, 50};

    /** Gaussian values of shape [n, 3] with the special values written over the first ones. */
    private static NDArray data(long seed, DType dtype, int n, boolean specials) {
        double[] v = OpenClTesting.randn(seed, DType.FLOAT64, n, 3).mul(2).toDoubleArray();
        if (specials) for (int i = 0; i < Math.min(v.length, SPECIALS.length); i++) v[(int) ((i * 7L) % v.length)] = SPECIALS[i];
        if (dtype == DType.INT64) for (int i = 0; i < v.length; i++) v[i] = Double.isFinite(v[i]) ? Math.round(v[i] * 3) : 5;
        return NDArray.of(v, n, 3).to(dtype);
    }

    @Test
    void unaryOpsMatchTheReference() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
            for (int n : SIZES) {
                for (OpenClTesting.View view : OpenClTesting.View.values()) {
                    NDArray host = view.of(data(n, dtype, n, true));
                    NDArray device = view.of(data(n, dtype, n, true).to(cl.device()));
                    for (UnaryOp op : UnaryOp.values()) {
                        if (dtype == DType.INT64 && !INTEGRAL_UNARY.contains(op)) continue;
                        double alpha = op == UnaryOp.CLAMP ? -1 : op == UnaryOp.POW_SCALAR ? 2.5 : 0.01, beta = op == UnaryOp.CLAMP ? 2 : 0;
                        NDArray expected = host.zerosLike(), actual = device.zerosLike();
                        REFERENCE.unary(op, host, expected, alpha, beta);
                        cl.unary(op, device, actual, alpha, beta);
                        // float64: the reference's 1 + erf(z) itself loses digits for z << 0 (the kernel uses erfc).
                        double rtol = dtype == DType.FLOAT64 ? 1e-10 : 4 * ulps(dtype);
                        assertMatches(op + " " + dtype + " n=" + n + " " + view, expected, actual, rtol, rtol * 1e-3);
                    }
                }
            }
        }
    }

    @Test
    void binaryOpsMatchTheReference() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
            for (int n : SIZES) {
                for (OpenClTesting.View view : OpenClTesting.View.values()) {
                    NDArray a = data(n, dtype, n, true), b = data(n + 1000, dtype, n, false);
                    if (dtype == DType.INT64) b = b.abs().minimum(NDArray.scalar(DType.INT64, 3)); // small exponents for POW
                    NDArray ha = view.of(a), hb = OpenClTesting.View.TRANSPOSED.of(b);
                    NDArray da = view.of(a.to(cl.device())), db = OpenClTesting.View.TRANSPOSED.of(b.to(cl.device()));
                    for (BinaryOp op : BinaryOp.values()) {
                        if (dtype == DType.INT64 && op == BinaryOp.DIV) continue; // float only (NDArray.div)
                        NDArray expected = ha.zerosLike(), actual = da.zerosLike();
                        REFERENCE.binary(op, ha, hb, expected);
                        cl.binary(op, da, db, actual);
                        assertMatches(op + " " + dtype + " n=" + n + " " + view, expected, actual, 4 * ulps(dtype), 0);
                    }
                }
            }
        }
    }

    /** The fused ReLU gradient against the composed {@code g.mul(x.gt(0))} on the device, every special of g against every special of x, sign of zero included. */
    @Test
    void reluBackwardIsTheComposedProduct() {
        OpenClBackend cl = OpenClTesting.backend();
        int k = SPECIALS.length, n = k * k + 1021;
        double[] g = OpenClTesting.randn(5, DType.FLOAT64, n).toDoubleArray(), x = OpenClTesting.randn(6, DType.FLOAT64, n).toDoubleArray();
        for (int i = 0; i < k * k; i++) {
            g[i] = SPECIALS[i / k];
            x[i] = SPECIALS[i % k];
        }
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            NDArray dg = NDArray.of(g, n).to(dtype).to(cl.device()), dx = NDArray.of(x, n).to(dtype).to(cl.device());
            double[] composed = dg.mul(dx.gt(0)).to(io.jgrad.tensor.Device.CPU).toDoubleArray();
            double[] fused = dg.binary(BinaryOp.RELU_BACKWARD, dx).to(io.jgrad.tensor.Device.CPU).toDoubleArray();
            for (int i = 0; i < n; i++) {
                if (Double.doubleToLongBits(composed[i]) != Double.doubleToLongBits(fused[i])) {
                    throw new AssertionError("relu backward " + dtype + " g=" + g[i] + " x=" + x[i] + ": " + fused[i] + ", composed " + composed[i]);
                }
            }
        }
    }

    @Test
    void inPlaceBinaryWritesItsOwnInput() {
        OpenClBackend cl = OpenClTesting.backend();
        NDArray a = data(1, DType.FLOAT32, 257, false), b = data(2, DType.FLOAT32, 257, false);
        NDArray da = a.to(cl.device());
        da.addInPlace(b.to(cl.device()));
        assertMatches("addInPlace", a.add(b), da, 1e-6, 0);
    }

    @Test
    void copyConvertsEveryDtypePairThroughViews() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                for (int n : new int[] {1, 33, 1021}) {
                    for (OpenClTesting.View view : OpenClTesting.View.values()) {
                        NDArray src = data(n, from, n, from != DType.INT64);
                        // The output is written through a transposed view too.
                        NDArray expected = NDArray.zeros(to, n, 3), actual = OpenClTesting.View.TRANSPOSED.of(NDArray.zeros(to, cl.device(), n, 3));
                        REFERENCE.copy(view.of(src), expected);
                        cl.copy(view.of(src.to(cl.device())), actual);
                        assertMatches("copy " + from + "->" + to + " n=" + n + " " + view, expected, actual, 0, 0);
                    }
                }
            }
        }
        long big = (1L << 53) + 1; // int64 copies are exact beyond double's 53 bits
        NDArray exact = NDArray.of(new long[] {big, -big}, 2).to(cl.device()).copy();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {big, -big}, exact.toLongArray());
    }

    @Test
    void fillWritesOnlyTheView() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType dtype : DType.values()) {
            NDArray host = NDArray.zeros(dtype, 13, 7), device = NDArray.zeros(dtype, cl.device(), 13, 7);
            REFERENCE.fill(host.slice(1, 1, 7, 2), -2.5);
            cl.fill(device.slice(1, 1, 7, 2), -2.5);
            assertMatches("fill " + dtype, host, device, 0, 0);
        }
    }

    @Test
    void whereSelectsWithAnyConditionDtype() {
        OpenClBackend cl = OpenClTesting.backend();
        for (DType condType : DType.values()) {
            for (int n : SIZES) {
                NDArray cond = data(n + 7, condType, n, false).gt(data(n + 8, condType, n, false));
                NDArray a = data(n, DType.FLOAT32, n, true), b = data(n + 1, DType.FLOAT32, n, false);
                NDArray expected = a.zerosLike(), actual = NDArray.zeros(DType.FLOAT32, cl.device(), n, 3);
                REFERENCE.where(OpenClTesting.View.TRANSPOSED.of(cond), a, OpenClTesting.View.SPACED.of(b), expected);
                cl.where(OpenClTesting.View.TRANSPOSED.of(cond.to(cl.device())), a.to(cl.device()),
                        OpenClTesting.View.SPACED.of(b.to(cl.device())), actual);
                assertMatches("where cond " + condType + " n=" + n, expected, actual, 0, 0);
            }
        }
    }
}
