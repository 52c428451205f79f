package io.jgrad.optimizers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClippingTest {

    private static Tensor withGrad(double... grad) {
        Tensor p = Tensor.parameter(NDArray.zeros(NDArray.of(grad, grad.length).dtype(), grad.length));
        p.setGrad(NDArray.of(grad, grad.length));
        return p;
    }

    @Test
    void globalTwoNormScalesEveryGradientTogether() {
        // ‖(3, 4, 12)‖ = 13 across both parameters; scale = 6.5/(13 + 1e-6)
        Tensor a = withGrad(3, 4), b = withGrad(12);
        double total = Clipping.clipGradNorm(List.of(a, b), 6.5);
        assertEquals(13, total, 1e-12);
        double scale = 6.5 / (13 + 1e-6);
        assertArrayEquals(new double[] {3 * scale, 4 * scale}, a.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {12 * scale}, b.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void aNormBelowTheLimitIsLeftAlone() {
        Tensor a = withGrad(3, 4);
        assertEquals(5, Clipping.clipGradNorm(List.of(a), 10), 1e-12);
        assertArrayEquals(new double[] {3, 4}, a.grad().toDoubleArray(), 0);
    }

    @Test
    void infinityNormIsTheLargestMagnitude() {
        Tensor a = withGrad(3, -8), b = withGrad(2);
        assertEquals(8, Clipping.clipGradNorm(List.of(a, b), 4, Double.POSITIVE_INFINITY), 0);
        double scale = 4 / (8 + 1e-6);
        assertArrayEquals(new double[] {3 * scale, -8 * scale}, a.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {2 * scale}, b.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void parametersWithoutGradientsAreSkipped() {
        Tensor a = withGrad(3, 4), none = Tensor.parameter(NDArray.zeros(2));
        assertEquals(5, Clipping.clipGradNorm(List.of(a, none), 1), 1e-12);
        assertEquals(null, none.grad());
    }

    @Test
    void clipByValueClampsEachElement() {
        Tensor a = withGrad(-3, 0.5, 2);
        Clipping.clipGradValue(List.of(a), 1);
        assertArrayEquals(new double[] {-1, 0.5, 1}, a.grad().toDoubleArray(), 0);
    }

    @Test
    void invalidArguments() {
        assertEquals("clipGradNorm: maxNorm must be >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> Clipping.clipGradNorm(List.of(), -1)).getMessage());
        assertEquals("clipGradValue: clipValue must be >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> Clipping.clipGradValue(List.of(), -1)).getMessage());
    }
}
