package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.FusedUpdates;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.SgdStep;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

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

    /** The multi-tensor facade checks every parameter as the single one does, plus list lengths and one dtype. */
    @Test
    void badMultiTensorArgumentsAreRejectedNamingTheProblem() {
        assertRejects(() -> FusedUpdates.adamAll(ADAM, pair(), List.of(a23()), pair(), pair(), null), "adamStepAll:", "2 parameters", "1 arrays");
        assertRejects(() -> FusedUpdates.adamAll(ADAM, pair(), List.of(a23(), NDArray.zeros(3, 2)), pair(), pair(), null),
                "adamStepAll:", "grad", "[3, 2]", "[2, 3]");
        assertRejects(() -> FusedUpdates.adamAll(ADAM, List.of(a23(), NDArray.zeros(DType.FLOAT64, 2, 3)), List.of(a23(), NDArray.zeros(DType.FLOAT64, 2, 3)),
                List.of(a23(), NDArray.zeros(DType.FLOAT64, 2, 3)), List.of(a23(), NDArray.zeros(DType.FLOAT64, 2, 3)), null),
                "adamStepAll:", "parameter 1", "float64", "parameter 0", "float32");
        assertRejects(() -> FusedUpdates.adamAll(AMSGRAD, pair(), pair(), pair(), pair(), null), "adamStepAll:", "vMax", "missing", "amsgrad");
        assertRejects(() -> FusedUpdates.sgdAll(MOMENTUM, pair(), pair(), null), "sgdStepAll:", "momentumBuffers", "missing", "momentum");
        NDArray shared = a23();
        assertRejects(() -> FusedUpdates.adamAll(ADAM, List.of(shared, a23()), pair(), List.of(shared, a23()), pair(), null), "adamStepAll:", "param and m", "overlap");
    }

    /** Two fresh [2, 3] arrays. */
    private static List<NDArray> pair() {
        return List.of(a23(), a23());
    }

    /** The default adamStepAll/sgdStepAll of the SPI give the per-parameter steps' bits, empty parameters included. */
    @Test
    void multiTensorStepsEqualPerParameterStepsOnBothCpuBackends() {
        AdamStep adam = new AdamStep(0.01, 0.9, 0.999, 1e-8, 0.1, true, true, true, 0.1, 0.001);
        SgdStep sgd = new SgdStep(0.1, 0.9, 0.1, 0.01, false, false, false);
        for (io.jgrad.tensor.spi.Backend backend : new io.jgrad.tensor.spi.Backend[] {new ReferenceBackend(), new VectorBackend()}) {
            int[] sizes = {7, 0, 4099, 1, 33};
            List<NDArray[]> perParameter = new ArrayList<>(), multi = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                Generator gen = new Generator(40 + i);
                NDArray[] arrays = new NDArray[5];   // param, grad, m, v, vMax
                for (int k = 0; k < 5; k++) arrays[k] = NDArray.randn(gen, sizes[i]).abs();
                perParameter.add(arrays);
                NDArray[] copy = new NDArray[5];
                for (int k = 0; k < 5; k++) copy[k] = arrays[k].copy();
                multi.add(copy);
            }
            for (NDArray[] a : perParameter) {
                if (a[0].numel() > 0) {
                    backend.adamStep(adam, a[0], a[1], a[2], a[3], a[4]);
                    backend.sgdStep(sgd, a[0], a[1], a[2]);
                }
            }
            backend.adamStepAll(adam, role(multi, 0), role(multi, 1), role(multi, 2), role(multi, 3), role(multi, 4));
            backend.sgdStepAll(sgd, role(multi, 0), role(multi, 1), role(multi, 2));
            for (int i = 0; i < sizes.length; i++) {
                for (int k = 0; k < 5; k++) {
                    assertArrayEquals(bits(perParameter.get(i)[k]), bits(multi.get(i)[k]), backend.name() + " parameter " + i + " array " + k);
                }
            }
        }
    }

    private static List<NDArray> role(List<NDArray[]> arrays, int k) {
        return arrays.stream().map(a -> a[k]).toList();
    }

    private static int[] bits(NDArray x) {
        float[] v = x.toFloatArray();
        int[] bits = new int[v.length];
        for (int i = 0; i < v.length; i++) bits[i] = Float.floatToRawIntBits(v[i]);
        return bits;
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
