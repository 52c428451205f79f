package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RegularizationTest {

    /** Linear(2, 1) with weight [[1, -2]] and bias [3]. */
    private static Linear known() {
        DType previous = Init.setDefaultDType(DType.FLOAT64);
        try {
            Linear linear = new Linear(2, 1);
            linear.weight.data().assign(NDArray.of(new double[] {1, -2}, 1, 2));
            linear.bias.data().assign(NDArray.of(new double[] {3}, 1));
            return linear;
        } finally {
            Init.setDefaultDType(previous);
        }
    }

    @Test
    void l1IsLambdaTimesSumOfMagnitudesWithSignGradient() {
        Linear m = known();
        Tensor penalty = Regularization.l1Penalty(m, 0.1);
        assertEquals(0.6, penalty.item(), 1e-12);                   // 0.1·(1 + 2 + 3)
        penalty.backward();
        assertArrayEquals(new double[] {0.1, -0.1}, m.weight.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void l2IsHalfLambdaTimesSumOfSquaresWithWeightDecayGradient() {
        Linear m = known();
        Tensor penalty = Regularization.l2Penalty(m, 0.1);
        assertEquals(0.7, penalty.item(), 1e-12);                   // 0.1/2·(1 + 4 + 9)
        penalty.backward();
        assertArrayEquals(new double[] {0.1, -0.2}, m.weight.grad().toDoubleArray(), 1e-12);   // λ·w, SGD's weight decay
        assertArrayEquals(new double[] {0.3}, m.bias.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void aChosenCollectionOfParameters() {
        Linear m = known();
        assertEquals(0.05, Regularization.l2Penalty(List.of(m.weight), 0.02).item(), 1e-12);   // 0.01·(1 + 4)
        assertThrows(IllegalArgumentException.class, () -> Regularization.l1Penalty(new ReLU(), 0.1));
    }
}
