package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropoutTest {

    private static final Tensor ONES = Tensor.ones(100_000);

    @Test
    void sameSeedSameMask() {
        double[] a = new Dropout(0.3, new Generator(42)).forward(ONES).data().toDoubleArray();
        double[] b = new Dropout(0.3, new Generator(42)).forward(ONES).data().toDoubleArray();
        double[] c = new Dropout(0.3, new Generator(43)).forward(ONES).data().toDoubleArray();
        assertArrayEquals(a, b, 0);
        assertFalse(java.util.Arrays.equals(a, c));

        Init.manualSeed(7);
        double[] d = new Dropout(0.3).forward(ONES).data().toDoubleArray();
        Init.manualSeed(7);
        assertArrayEquals(d, new Dropout(0.3).forward(ONES).data().toDoubleArray(), 0);
    }

    @Test
    void evalAndZeroProbabilityAreTheIdentity() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        assertSame(x, new Dropout(0.5).eval().forward(x));
        assertSame(x, new Dropout(0).forward(x));
    }

    @Test
    void survivorsAreScaledSoTheExpectationIsUnchanged() {
        double p = 0.3;
        double[] y = new Dropout(p, new Generator(1)).forward(ONES).data().toDoubleArray();
        int zeros = 0;
        double sum = 0;
        for (double v : y) {
            if (v == 0) zeros++;
            else assertEquals(1 / (1 - p), v, 1e-6);
            sum += v;
        }
        // 100 000 draws: the dropped fraction and the mean are within 0.01 of p and 1 (about five standard errors)
        assertEquals(p, zeros / (double) y.length, 0.01);
        assertEquals(1.0, sum / y.length, 0.01);
    }

    @Test
    void gradientFollowsTheMask() {
        Tensor x = Tensor.of(NDArray.ones(1000)).requiresGrad(true);
        Tensor y = new Dropout(0.5, new Generator(3)).forward(x);
        y.sum().backward();
        assertArrayEquals(y.data().toDoubleArray(), x.grad().toDoubleArray(), 0);   // dy/dx = mask/(1-p) = y for x = 1
        assertTrue(y.data().eq(0).sum().item() > 0);
    }

    @Test
    void rejectsProbabilitiesOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
    }
}
