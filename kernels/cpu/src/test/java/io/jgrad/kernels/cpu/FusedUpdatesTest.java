package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.FusedUpdates;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.SgdStep;
import org.junit.jupiter.api.Test;

import static io.jgrad.kernels.cpu.NDArrayAssert.assertRejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade of the fused optimiser updates: what qualifies, what is rejected and how the message reads. */
class FusedUpdatesTest {

    private static final AdamStep ADAM = new AdamStep(0.01, 0.9, 0.999, 1e-8, 0, false, false, false, 0.1, 0.001);
    private static final AdamStep AMSGRAD = new AdamStep(0.01, 0.9, 0.999, 1e-8, 0, false, true, false, 0.1, 0.001);
    private static final SgdStep MOMENTUM = new SgdStep(0.1, 0.9, 0, 0, false, false, true);
    private static final SgdStep PLAIN = new SgdStep(0.1, 0, 0, 0, false, false, false);

    private static NDArray a23() {
        return NDArray.zeros(2, 3);
    }

    @Test
    void contiguousArraysOfOneShapeDtypeAndDeviceQualify() {
        NDArray rows = NDArray.zeros(4, 2, 3);
        assertTrue(FusedUpdates.qualifies(a23(), a23(), a23(), null));
        assertTrue(FusedUpdates.qualifies(rows.select(0, 1), rows.select(0, 2), rows.select(0, 3)), "disjoint rows of one storage");
        assertFalse(FusedUpdates.qualifies(a23(), NDArray.zeros(3, 2).t()), "transposed grad");
        assertFalse(FusedUpdates.qualifies(a23(), NDArray.zeros(DType.FLOAT64, 2, 3)), "other dtype");
        assertFalse(FusedUpdates.qualifies(a23(), NDArray.zeros(6)), "other shape");
        assertFalse(FusedUpdates.qualifies(NDArray.zeros(DType.INT64, 2, 3), NDArray.zeros(DType.INT64, 2, 3)), "int64");
        assertFalse(FusedUpdates.qualifies(rows.select(0, 1), rows.reshape(24).narrow(0, 8, 6).view(2, 3)), "partly overlapping rows");
    }

    @Test
    void rejectionsNameTheOpTheArrayAndTheShapes() {
        NDArray x = a23();
        assertRejects(() -> FusedUpdates.adam(ADAM, x, NDArray.zeros(3, 2), a23(), a23(), null), "adamStep:", "grad", "[3, 2]", "[2, 3]");
        assertRejects(() -> FusedUpdates.adam(ADAM, x, a23(), NDArray.zeros(DType.FLOAT64, 2, 3), a23(), null), "adamStep:", "m", "float64", "float32");
        assertRejects(() -> FusedUpdates.adam(ADAM, x, a23(), a23(), NDArray.zeros(3, 2).t(), null), "adamStep:", "v", "[2, 3]", "strides [1, 2]", "not contiguous");
        assertRejects(() -> FusedUpdates.adam(ADAM, x, a23(), x, a23(), null), "adamStep:", "param and m", "overlap");
        assertRejects(() -> FusedUpdates.adam(ADAM, x, a23(), a23(), a23(), a23()), "adamStep:", "vMax", "amsgrad");
        assertRejects(() -> FusedUpdates.adam(AMSGRAD, x, a23(), a23(), a23(), null), "adamStep:", "vMax", "missing", "amsgrad");
        assertRejects(() -> FusedUpdates.adam(ADAM, x, null, a23(), a23(), null), "adamStep:", "grad is null");
        assertRejects(() -> FusedUpdates.sgd(MOMENTUM, x, a23(), null), "sgdStep:", "momentumBuffer", "missing", "momentum");
        assertRejects(() -> FusedUpdates.sgd(PLAIN, x, a23(), a23()), "sgdStep:", "momentumBuffer", "momentum");
        assertRejects(() -> FusedUpdates.sgd(PLAIN, NDArray.zeros(DType.INT64, 2, 3), NDArray.zeros(DType.INT64, 2, 3), null),
                "sgdStep:", "floating-point", "int64", "[2, 3]");
    }

    /** The facade hands views with an offset to the backend of their device, which honours the offset. */
    @Test
    void viewsWithAnOffsetAreUpdatedInPlace() {
        Generator gen = new Generator(9);
        NDArray storage = NDArray.randn(gen, 3, 5), grad = NDArray.randn(gen, 5);
        NDArray param = storage.select(0, 1), buffer = storage.select(0, 2);
        NDArray expectedParam = param.sub(grad.mul(0.1f));
        FusedUpdates.sgd(MOMENTUM, param, grad, buffer);
        assertArrayEquals(expectedParam.toFloatArray(), storage.select(0, 1).toFloatArray(), 0f, "θ − lr·g on the first step");
        assertArrayEquals(grad.toFloatArray(), storage.select(0, 2).toFloatArray(), 0f, "the buffer starts as g");
    }
}
