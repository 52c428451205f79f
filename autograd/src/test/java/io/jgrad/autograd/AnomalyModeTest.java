package io.jgrad.autograd;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.jgrad.autograd.Float64Leaves.constant;
import static io.jgrad.autograd.Float64Leaves.leaf;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GradMode#detectAnomaly()}: the first NaN or infinity, forward or backward, names its op. */
@SuppressWarnings("try") // the scopes are opened for their effect and never referenced
class AnomalyModeTest {

    @AfterEach
    void anomalyModeIsOffAfterEveryTest() {
        assertFalse(GradMode.isAnomalyDetectionEnabled(), "a test left anomaly detection on");
    }

    @Test
    void forwardInfinityNamesTheOpAndTheShapes() {
        Tensor x = leaf(new double[] {1, 0, 2, 3, 4, 5}, 2, 3);
        try (var scope = GradMode.detectAnomaly()) {
            assertTrue(GradMode.isAnomalyDetectionEnabled());
            AnomalyException e = assertThrows(AnomalyException.class, x::log);
            String m = e.getMessage();
            assertTrue(m.contains("LOG"), m);
            assertTrue(m.contains("-inf"), m);
            assertTrue(m.contains("[2, 3]"), m);
            assertTrue(m.contains("forward"), m);
        }
    }

    @Test
    void forwardNaNIsCaughtEvenWithoutGradients() {
        Tensor x = constant(new double[] {-1, 4}, 2);
        try (var scope = GradMode.detectAnomaly()) {
            AnomalyException e = assertThrows(AnomalyException.class, x::sqrt);
            assertTrue(e.getMessage().contains("SQRT") && e.getMessage().contains("NaN"), e.getMessage());
        }
    }

    @Test
    void backwardInfinityNamesTheOp() {
        // sqrt(0) = 0 is fine forward, but d√a/da = 1/(2√a) is +inf at 0
        Tensor x = leaf(new double[] {0, 1, 4}, 3);
        try (var scope = GradMode.detectAnomaly()) {
            Tensor loss = x.sqrt().sum();
            AnomalyException e = assertThrows(AnomalyException.class, loss::backward);
            String m = e.getMessage();
            assertTrue(m.contains("SQRT"), m);
            assertTrue(m.contains("backward"), m);
            assertTrue(m.contains("inf"), m);
            assertTrue(m.contains("[3]"), m);
        }
    }

    @Test
    void backwardNaNNamesTheOp() {
        // pow(x, 0.5) at 0 times a zero upstream gradient: 0·inf = NaN in the POW_SCALAR backward
        Tensor x = leaf(new double[] {0, 1}, 2);
        try (var scope = GradMode.detectAnomaly()) {
            Tensor y = x.pow(0.5).mul(constant(new double[] {0, 1}, 2)).sum();
            AnomalyException e = assertThrows(AnomalyException.class, y::backward);
            assertTrue(e.getMessage().contains("POW_SCALAR") && e.getMessage().contains("NaN"), e.getMessage());
        }
    }

    @Test
    void nothingIsThrownOutsideTheScope() {
        Tensor x = leaf(new double[] {0, 1, 4}, 3);
        try (var scope = GradMode.detectAnomaly()) {
            assertTrue(GradMode.isAnomalyDetectionEnabled());
        }
        Tensor logged = assertDoesNotThrow(x::log);
        assertEquals(Double.NEGATIVE_INFINITY, logged.data().get(0));
        assertDoesNotThrow(() -> x.sqrt().sum().backward());
        assertEquals(Double.POSITIVE_INFINITY, x.grad().get(0));
    }

    @Test
    void finiteValuesPassInsideTheScope() {
        Tensor x = leaf(new double[] {0.5, 1, 4}, 3);
        try (var scope = GradMode.detectAnomaly()) {
            assertDoesNotThrow(() -> x.sqrt().log().sum().backward());
        }
    }

    @Test
    void integerArraysAreNotChecked() {
        try (var scope = GradMode.detectAnomaly()) {
            assertDoesNotThrow(() -> Tensor.of(NDArray.of(new long[] {1, 2}, 2)).add(Tensor.of(NDArray.of(new long[] {3, 4}, 2))));
        }
    }

    @Test
    void anomalyExceptionIsAnArithmeticException() {
        try (var scope = GradMode.detectAnomaly()) {
            Tensor x = Tensor.of(NDArray.scalar(DType.FLOAT64, 0));
            assertInstanceOf(ArithmeticException.class, assertThrows(AnomalyException.class, x::log));
        }
    }
}
