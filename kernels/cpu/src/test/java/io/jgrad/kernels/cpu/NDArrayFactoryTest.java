package io.jgrad.kernels.cpu;

import io.jgrad.tensor.Closeness;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.cpu.NDArrayAssert.assertRejects;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertShape;
import static io.jgrad.kernels.cpu.NDArrayAssert.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** zeros/ones/full/scalar/of/arange/linspace/eye and the *Like helpers, against torch's factories. */
class NDArrayFactoryTest {

    @Test
    void zerosOnesAndFullHaveShapeDtypeAndValue() {
        NDArray z = NDArray.zeros(2, 3);
        assertEquals(DType.FLOAT32, z.dtype());
        assertEquals(Device.CPU, z.device());
        assertTrue(z.isContiguous());
        assertArrayEquals(new int[] {3, 1}, z.strides());
        assertValues(z, new int[] {2, 3}, 0, 0, 0, 0, 0, 0);
        assertValues(NDArray.ones(DType.INT64, 2), new int[] {2}, 1, 1);
        assertEquals(DType.INT64, NDArray.ones(DType.INT64, 2).dtype());
        assertValues(NDArray.full(DType.FLOAT64, 2.5, 3), new int[] {3}, 2.5, 2.5, 2.5);
        assertValues(NDArray.full(Double.NaN, 2), new int[] {2}, Double.NaN, Double.NaN);
        assertShape(NDArray.zeros(0, 4), 0, 4);
        assertEquals(0, NDArray.zeros(0, 4).numel());
        assertRejects(() -> NDArray.zeros(2, -1), "zeros", "negative size", "[2, -1]");
    }

    @Test
    void fullKeepsTheSignOfNegativeZero() {
        // torch.full((2,), -0.0) holds -0.0; 1/x tells the zeros apart.
        NDArray z = NDArray.full(DType.FLOAT64, -0.0, 2);
        assertEquals(Double.NEGATIVE_INFINITY, 1 / z.get(0));
        NDArray s = NDArray.scalar(DType.FLOAT64, -0.0);
        assertEquals(Double.NEGATIVE_INFINITY, 1 / s.item());
        // x * -0.0 for positive x is -0.0 in IEEE arithmetic, as in torch.
        NDArray p = NDArray.of(new double[] {2.0}, 1).mul(-0.0);
        assertEquals(Double.NEGATIVE_INFINITY, 1 / p.get(0));
    }

    @Test
    void scalarIsZeroDimensional() {
        NDArray s = NDArray.scalar(3.25);
        assertEquals(0, s.rank());
        assertEquals(1, s.numel());
        assertEquals(3.25, s.item());
        assertEquals(3.25, s.get());
        assertEquals(DType.FLOAT32, s.dtype());
        assertEquals(DType.INT64, NDArray.scalar(DType.INT64, 7).dtype());
        assertEquals(7, NDArray.scalar(DType.INT64, 7).getLong());
    }

    @Test
    void ofCopiesDataAndChecksLength() {
        double[] data = {1, 2, 3, 4, 5, 6};
        NDArray a = NDArray.of(data, 2, 3);
        data[0] = 100;
        assertEquals(1, a.get(0, 0), "of() copies its input");
        assertEquals(DType.FLOAT64, a.dtype());
        assertEquals(DType.FLOAT32, NDArray.of(1f, 2f).dtype());
        assertEquals(DType.INT64, NDArray.of(new long[] {1, 2}, 2).dtype());
        assertRejects(() -> NDArray.of(new double[5], 2, 3), "of", "5 values", "[2, 3]", "6 elements");
    }

    // ---- arange -------------------------------------------------------------------------------------

    @Test
    void arangeOfIntIsInt64() {
        NDArray a = NDArray.arange(5);
        assertEquals(DType.INT64, a.dtype());
        assertValues(a, new int[] {5}, 0, 1, 2, 3, 4);
        assertShape(NDArray.arange(0), 0);
    }

    @Test
    void arangeWithFloatStepExcludesEnd() {
        assertValues(NDArray.arange(0, 1, 0.25), new int[] {4}, 0, 0.25, 0.5, 0.75);
        assertValues(NDArray.arange(DType.FLOAT64, 1, 2.5, 0.5), new int[] {3}, 1, 1.5, 2);
        // (0.3 - 0) / 0.1 = 2.9999999999999996 in double; torch.arange(0, 0.3, 0.1) has 3 elements.
        assertValues(NDArray.arange(DType.FLOAT64, 0, 0.3, 0.1), new int[] {3}, new double[] {0, 0.1, 0.2}, 1e-15);
        assertValues(NDArray.arange(DType.FLOAT64, 0, 1, 0.3), new int[] {4}, new double[] {0, 0.3, 0.6, 0.9}, 1e-15);
        assertShape(NDArray.arange(2, 2, 1), 0);
    }

    @Test
    void arangeWithNegativeStepCountsDown() {
        assertValues(NDArray.arange(DType.FLOAT64, 5, 0, -1.5), new int[] {4}, 5, 3.5, 2, 0.5);
        assertValues(NDArray.arange(DType.INT64, 3, -3, -2), new int[] {3}, 3, 1, -1);
    }

    @Test
    void arangeRejectsZeroStepWrongDirectionAndNonFiniteArguments() {
        assertRejects(() -> NDArray.arange(0, 5, 0), "arange", "step", "non-zero");
        assertRejects(() -> NDArray.arange(0, 5, -1), "arange", "step -1.0", "end");
        assertRejects(() -> NDArray.arange(5, 0, 1), "arange", "step 1.0");
        assertRejects(() -> NDArray.arange(0, 5, Double.NaN), "arange", "step");
        assertRejects(() -> NDArray.arange(0, Double.POSITIVE_INFINITY, 1), "arange", "finite");
        assertRejects(() -> NDArray.arange(-1), "arange");
    }

    // ---- linspace -----------------------------------------------------------------------------------

    @Test
    void linspaceIncludesBothEnds() {
        assertValues(NDArray.linspace(0, 1, 5), new int[] {5}, 0, 0.25, 0.5, 0.75, 1);
        assertValues(NDArray.linspace(1, 0, 3), new int[] {3}, 1, 0.5, 0);
        assertValues(NDArray.linspace(DType.FLOAT64, -2, 2, 2), new int[] {2}, -2, 2);
        assertShape(NDArray.linspace(0, 1, 0), 0);
        assertRejects(() -> NDArray.linspace(0, 1, -1), "linspace", "steps", "-1");
    }

    @Test
    void linspaceEndIsExactEvenWhenStartPlusStepsTimesStepIsNot() {
        // -1.3 + 10 * ((2.9 - -1.3) / 10) is 2.9000000000000004 in double.
        double[] v = NDArray.linspace(DType.FLOAT64, -1.3, 2.9, 11).toDoubleArray();
        assertEquals(11, v.length);
        assertEquals(-1.3, v[0], 0.0);
        assertEquals(2.9, v[10], 0.0);
        for (int i = 0; i < 11; i++) assertEquals(-1.3 + 0.42 * i, v[i], 1e-14);
        for (int i = 1; i < 11; i++) assertTrue(v[i] > v[i - 1], "increasing");
    }

    @Test
    void linspaceWithOneStepIsStart() {
        // torch.linspace(3, 10, 1) == tensor([3.])
        assertValues(NDArray.linspace(DType.FLOAT64, 3, 10, 1), new int[] {1}, 3);
    }

    // ---- eye ----------------------------------------------------------------------------------------

    @Test
    void eyeIsTheIdentity() {
        assertValues(NDArray.eye(3), new int[] {3, 3}, 1, 0, 0, 0, 1, 0, 0, 0, 1);
        assertEquals(DType.INT64, NDArray.eye(DType.INT64, 2).dtype());
        assertValues(NDArray.eye(DType.INT64, 2), new int[] {2, 2}, 1, 0, 0, 1);
        assertShape(NDArray.eye(0), 0, 0);
        assertRejects(() -> NDArray.eye(-1), "eye", "-1");
        NDArray m = NDArray.randn(new Generator(3), DType.FLOAT64, 3, 3);
        assertTrue(NDArray.eye(DType.FLOAT64, 3).matmul(m).allClose(m, 0, 0));
    }

    // ---- random factories, *Like --------------------------------------------------------------------

    @Test
    void randomFactoriesHaveShapeAndDtype() {
        Generator g = new Generator(1);
        assertShape(NDArray.rand(g, 2, 3), 2, 3);
        assertEquals(DType.FLOAT32, NDArray.rand(g, 2).dtype());
        assertEquals(DType.FLOAT64, NDArray.randn(g, DType.FLOAT64, 4).dtype());
        NDArray u = NDArray.uniform(g, DType.FLOAT64, -2, 3, 1000);
        for (double x : u.toDoubleArray()) assertTrue(x >= -2 && x < 3, "uniform value " + x);
        assertValues(NDArray.uniform(g, 4, 4, 2), new int[] {2}, 4, 4);
        assertRejects(() -> NDArray.uniform(g, 1, 0, 2), "uniform", "low 1.0", "high 0.0");
    }

    @Test
    void dropoutMaskIsTheCompositionOfRandGeAndMulFromTheSameDraws() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (double p : new double[] {0, 1e-9, 0.1, 0.5, 0.9, 1 - 1e-9}) {
                for (int[] shape : new int[][] {{1}, {7}, {3, 13}, {2, 0, 5}, {}, {4099}}) {
                    NDArray expected = NDArray.rand(new Generator(5), dtype, shape).ge(p).mul(1 / (1 - p));
                    NDArray mask = NDArray.dropoutMask(new Generator(5), dtype, p, shape);
                    assertEquals(dtype, mask.dtype());
                    assertArrayEquals(expected.shape(), mask.shape());
                    assertArrayEquals(expected.toDoubleArray(), mask.toDoubleArray(), dtype + " p=" + p);
                }
            }
        }
        // About 1 - p of the elements survive, each scaled by 1/(1-p).
        NDArray mask = NDArray.dropoutMask(new Generator(2), DType.FLOAT32, 0.25, 4099);
        long kept = 0;
        for (double x : mask.toDoubleArray()) {
            assertTrue(x == 0 || x == (float) (1 / 0.75), "mask value " + x);
            if (x != 0) kept++;
        }
        assertTrue(Math.abs(kept - 0.75 * 4099) < 150, "kept " + kept + " of 4099");
        assertRejects(() -> NDArray.dropoutMask(new Generator(1), DType.FLOAT32, 1, 3), "dropoutMask", "p must be in [0, 1)", "1.0");
        assertRejects(() -> NDArray.dropoutMask(new Generator(1), DType.INT64, 0.5, 3), "dropoutMask", "int64");
    }

    @Test
    void randintDrawsEveryIntegerOfItsHalfOpenRange() {
        Generator g = new Generator(3);
        NDArray r = NDArray.randint(g, -3, 2, 40, 25);
        assertEquals(DType.INT64, r.dtype());
        assertShape(r, 40, 25);
        int[] seen = new int[5];
        for (double x : r.toDoubleArray()) {
            assertTrue(x >= -3 && x < 2, "randint value " + x);
            seen[(int) x + 3]++;
        }
        for (int count : seen) assertTrue(count > 150, "each of -3..1 about 200 times in 1000 draws: " + java.util.Arrays.toString(seen));
        assertShape(NDArray.randint(g, 0, 1, 0, 3), 0, 3);
        assertRejects(() -> NDArray.randint(g, 2, 2, 1), "randint", "low 2", "high 2");
        assertRejects(() -> NDArray.randint(g, Long.MIN_VALUE, Long.MAX_VALUE, 1), "randint", "wider than 2^31 - 1");
    }

    @Test
    void closenessNamesTheFirstDifferenceAndMatchesNanAndInfinities() {
        NDArray e = NDArray.of(new double[] {1, Double.NaN, Double.POSITIVE_INFINITY, -2}, 4);
        assertEquals(null, Closeness.firstMismatch(e, NDArray.of(new double[] {1 + 1e-9, Double.NaN, Double.POSITIVE_INFINITY, -2}, 4), 1e-6, 0));
        assertEquals("element 3 is -2.1, expected -2.0 (of 4)",
                Closeness.firstMismatch(e, NDArray.of(new double[] {1, Double.NaN, Double.POSITIVE_INFINITY, -2.1}, 4), 1e-6, 0.01));
        assertEquals("element 1 is 0.0, expected NaN (of 4)",
                Closeness.firstMismatch(e, NDArray.of(new double[] {1, 0, Double.POSITIVE_INFINITY, -2}, 4), 1e-6, 0));
        assertEquals("element 2 is 1.0E300, expected Infinity (of 4)",
                Closeness.firstMismatch(e, NDArray.of(new double[] {1, Double.NaN, 1e300, -2}, 4), 1e-6, 1e300));
        assertEquals("shape [2, 2], expected [4]", Closeness.firstMismatch(e, e.reshape(2, 2), 0, 0));
    }

    @Test
    void likeFactoriesKeepDtype() {
        NDArray a = NDArray.of(new long[] {1, 2, 3, 4}, 2, 2);
        NDArray z = a.zerosLike();
        assertEquals(DType.INT64, z.dtype());
        assertValues(z, new int[] {2, 2}, 0, 0, 0, 0);
        NDArray n = a.newZeros(3);
        assertEquals(DType.INT64, n.dtype());
        assertShape(n, 3);
        NDArray s = a.scalarLike(5);
        assertEquals(DType.INT64, s.dtype());
        assertEquals(0, s.rank());
        assertEquals(5, s.getLong());
    }
}
