package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static io.jgrad.kernels.cpu.NDArrayAssert.assertRejects;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertShape;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertValues;
import static io.jgrad.kernels.cpu.NDArrayAssert.f64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unary ops against java.lang.Math, GELU/erf at known points, dtype conversion and int64 exactness. */
class ElementwiseTest {

    private static final double[] ANY = {-7.5, -2.5, -1, -0.1, 0, 0.3, 1, 2.7, 20};
    private static final double[] POSITIVE = {1e-8, 0.1, 0.5, 1, 2, 3.7, 1e6};

    private static void check(String name, UnaryOperator<NDArray> op, DoubleUnaryOperator expected, double[] points) {
        NDArray x = f64(points, points.length);
        double[] got = op.apply(x).toDoubleArray();
        for (int i = 0; i < points.length; i++) {
            double e = expected.applyAsDouble(points[i]);
            assertEquals(e, got[i], Math.ulp(e) * 2, name + "(" + points[i] + ")");
        }
        // the same through a non-contiguous view of a float32 array, rounded once at the end
        float[] f = new float[points.length * 2];
        for (int i = 0; i < points.length; i++) f[2 * i] = (float) points[i];
        NDArray strided = NDArray.of(f, f.length).slice(0, 0, f.length, 2);
        double[] got32 = op.apply(strided).toDoubleArray();
        assertEquals(DType.FLOAT32, op.apply(strided).dtype());
        for (int i = 0; i < points.length; i++) {
            float e = (float) expected.applyAsDouble((float) points[i]);
            assertEquals(e, (float) got32[i], Math.ulp(e), name + "(" + (float) points[i] + ") in float32");
        }
    }

    @Test
    void signAndMagnitudeOps() {
        check("neg", NDArray::neg, x -> -x, ANY);
        check("abs", NDArray::abs, Math::abs, ANY);
        check("sign", NDArray::sign, Math::signum, ANY);
        check("square", NDArray::square, x -> x * x, ANY);
        check("relu", NDArray::relu, x -> Math.max(x, 0), ANY);
        check("leakyRelu", a -> a.leakyRelu(0.01), x -> x > 0 ? x : 0.01 * x, ANY);
    }

    @Test
    void transcendentalOps() {
        check("exp", NDArray::exp, Math::exp, ANY);
        check("tanh", NDArray::tanh, Math::tanh, ANY);
        check("sigmoid", NDArray::sigmoid, x -> 1 / (1 + Math.exp(-x)), ANY);
        check("log", NDArray::log, Math::log, POSITIVE);
        check("sqrt", NDArray::sqrt, Math::sqrt, POSITIVE);
        check("rsqrt", NDArray::rsqrt, x -> 1 / Math.sqrt(x), POSITIVE);
        check("reciprocal", NDArray::reciprocal, x -> 1 / x, POSITIVE);
        check("pow", a -> a.pow(2.5), x -> Math.pow(x, 2.5), POSITIVE);
        check("pow", a -> a.pow(-1), x -> Math.pow(x, -1), POSITIVE);
    }

    @Test
    void edgeValuesFollowIeeeAndTorch() {
        double inf = Double.POSITIVE_INFINITY, nan = Double.NaN;
        NDArray x = f64(new double[] {0, -1, inf, -inf, nan}, 5);
        assertValues(x.log(), new int[] {5}, -inf, nan, inf, nan, nan);
        assertValues(x.sqrt(), new int[] {5}, 0, nan, inf, nan, nan);
        assertValues(x.exp(), new int[] {5}, 1, Math.exp(-1), inf, 0, nan);
        assertValues(x.reciprocal(), new int[] {5}, inf, -1, 0, -0.0, nan);
        assertValues(x.relu(), new int[] {5}, 0, 0, inf, 0, nan);
        assertValues(x.tanh(), new int[] {5}, 0, Math.tanh(-1), 1, -1, nan);
        assertValues(x.abs(), new int[] {5}, 0, 1, inf, inf, nan);
    }

    @Test
    void sigmoidSaturatesWithoutNaN() {
        NDArray x = f64(new double[] {-1000, -50, 50, 1000}, 4);
        double[] s = x.sigmoid().toDoubleArray();
        assertEquals(0.0, s[0]);
        assertEquals(Math.exp(-50) / (1 + Math.exp(-50)), s[1], 1e-35);
        assertEquals(1.0, s[2]);
        assertEquals(1.0, s[3]);
        NDArray big32 = NDArray.of(new float[] {-1000, 1000}, 2);
        assertValues(big32.sigmoid(), new int[] {2}, 0, 1);
    }

    @Test
    void geluExactAndTanhFormsAtKnownPoints() {
        NDArray x = f64(new double[] {1, -1, 0, 2, -3}, 5);
        double[] exact = x.gelu().toDoubleArray();
        assertEquals(0.8413447460685429, exact[0], 1e-15);
        assertEquals(-0.15865525393145705, exact[1], 1e-15);
        assertEquals(0.0, exact[2]);
        assertEquals(1.9544997361036416, exact[3], 1e-15);
        assertEquals(-0.0040496940948902836, exact[4], 1e-15);
        assertArrayEquals(exact, x.gelu(false).toDoubleArray());
        double[] approx = x.gelu(true).toDoubleArray();
        assertEquals(0.8411919906082768, approx[0], 1e-15);
        assertEquals(-0.1588080093917233, approx[1], 1e-15);
        assertEquals(0.0, approx[2]);
        assertEquals(1.954597694087775, approx[3], 1e-15);
    }

    @Test
    void erfThroughTheArrayOp() {
        NDArray x = f64(new double[] {0.5, 1, 2, 3, -1.5}, 5);
        assertValues(x.erf(), new int[] {5},
                new double[] {0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999779095030014, -0.9661051464753108}, 1e-14);
    }

    @Test
    void floatOnlyOpsRejectInt64NamingTheOp() {
        NDArray ints = NDArray.arange(3);
        assertRejects(ints::exp, "exp", "int64", "[3]");
        assertRejects(ints::log, "log", "int64");
        assertRejects(ints::sigmoid, "sigmoid", "int64");
        assertRejects(() -> ints.gelu(true), "gelu", "int64");
        assertRejects(() -> ints.pow(2), "pow", "int64");
        // torch.arange(3) / 2 is tensor([0.0, 0.5, 1.0]); truncating to [0, 0, 1] would be silently different
        assertRejects(() -> ints.div(2), "div", "int64", "[3]");
        assertRejects(() -> ints.div(ints), "div", "int64");
        assertRejects(() -> ints.rdiv(1), "rdiv", "int64");
        assertValues(ints.to(DType.FLOAT64).div(2), new int[] {3}, 0, 0.5, 1);
        // sign-and-magnitude ops keep int64
        assertEquals(DType.INT64, ints.neg().dtype());
        assertValues(ints.neg().abs(), new int[] {3}, 0, 1, 2);
        assertValues(ints.sub(1).sign(), new int[] {3}, -1, 0, 1);
        assertValues(ints.square(), new int[] {3}, 0, 1, 4);
        assertValues(ints.sub(1).relu(), new int[] {3}, 0, 0, 1);
    }

    @Test
    void elementwisePowOfTwoArraysBroadcasts() {
        NDArray base = f64(new double[] {2, 3}, 2, 1);
        NDArray exp = f64(new double[] {0, 1, 2}, 3);
        assertValues(base.pow(exp), new int[] {2, 3}, 1, 2, 4, 1, 3, 9);
    }

    @Test
    void unaryOpsKeepShapeOfNonContiguousInput() {
        NDArray t = f64(new double[] {1, 4, 9, 16, 25, 36}, 2, 3).t();
        NDArray r = t.sqrt();
        assertShape(r, 3, 2);
        assertTrue(r.isContiguous());
        assertValues(r, new int[] {3, 2}, 1, 4, 2, 5, 3, 6);
    }

    // ---- dtypes -------------------------------------------------------------------------------------

    @Test
    void toDtypeConvertsAndTruncatesTowardZero() {
        NDArray x = f64(new double[] {1.7, -1.7, 2.5, -0.5, 1e10}, 5);
        NDArray i = x.to(DType.INT64);
        assertEquals(DType.INT64, i.dtype());
        assertArrayEquals(new long[] {1, -1, 2, 0, 10_000_000_000L}, i.toLongArray());
        NDArray f = x.to(DType.FLOAT32);
        assertEquals(DType.FLOAT32, f.dtype());
        assertEquals((double) 1.7f, f.get(0));
        assertEquals(1e10f, (float) f.get(4));
        NDArray back = NDArray.arange(4).to(DType.FLOAT64);
        assertValues(back, new int[] {4}, 0, 1, 2, 3);
        assertSame(x, x.to(DType.FLOAT64));
        // conversion of a strided view converts the logical elements
        assertArrayEquals(new long[] {0, 3}, f64(new double[] {0.5, 1.5, 3.9, 2}, 2, 2).t().select(0, 0).to(DType.INT64).toLongArray());
    }

    @Test
    void int64StaysExactAbove2To53ThroughCopies() {
        long big = (1L << 53) + 1;                // not representable as a double
        long[] values = {big, -big, Long.MAX_VALUE, Long.MIN_VALUE, big + 2};
        NDArray a = NDArray.of(values, 5);
        assertArrayEquals(values, a.toLongArray());
        assertArrayEquals(values, a.copy().toLongArray());
        assertEquals(big, a.getLong(0));
        assertEquals(Long.MIN_VALUE, a.getLong(3));
        NDArray strided = NDArray.of(new long[] {big, 0, -big, 0, Long.MAX_VALUE, 0}, 3, 2).select(1, 0);
        assertArrayEquals(new long[] {big, -big, Long.MAX_VALUE}, strided.toLongArray());
        assertArrayEquals(new long[] {big, -big, Long.MAX_VALUE}, strided.contiguous().toLongArray());
        NDArray transposed = NDArray.of(new long[] {big, -big, Long.MAX_VALUE, Long.MIN_VALUE}, 2, 2).t();
        assertArrayEquals(new long[] {big, Long.MAX_VALUE, -big, Long.MIN_VALUE}, transposed.contiguous().toLongArray());
        assertArrayEquals(new long[] {big, Long.MAX_VALUE, -big, Long.MIN_VALUE}, transposed.reshape(4).toLongArray());
        NDArray joined = NDArray.cat(0, a, NDArray.stack(0, a.select(0, 0), a.select(0, 2)));
        assertArrayEquals(new long[] {big, -big, Long.MAX_VALUE, Long.MIN_VALUE, big + 2, big, Long.MAX_VALUE}, joined.toLongArray());
        NDArray target = NDArray.zeros(DType.INT64, 2);
        target.assign(a.narrow(0, 0, 2));
        assertArrayEquals(new long[] {big, -big}, target.toLongArray());
        assertArrayEquals(new long[] {big, big, big}, a.narrow(0, 0, 1).expand(3).contiguous().toLongArray());
    }

    @Test
    void dtypeMismatchNamesBothDtypes() {
        NDArray f32 = NDArray.ones(2), f64 = NDArray.ones(DType.FLOAT64, 2);
        assertRejects(() -> f32.add(f64), "add", "float32", "float64", "to(DType)");
        assertRejects(() -> f64.mul(NDArray.arange(2)), "mul", "float64", "int64");
        assertRejects(() -> f32.lt(f64), "lt", "float32", "float64");
        assertRejects(() -> f32.maximum(f64), "maximum", "float32", "float64");
    }
}
