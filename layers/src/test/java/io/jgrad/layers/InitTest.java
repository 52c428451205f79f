package io.jgrad.layers;

import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Initialisers: every value within its bound, the bound nearly reached, and normal draws with the right spread. */
class InitTest {

    /** All |values| < bound, and the largest within 5% of it (so the bound is not just loose). */
    private static void assertFillsBound(double bound, NDArray values) {
        double max = values.abs().amax().item();
        assertTrue(max < bound, "max |value| " + max + " exceeds bound " + bound);
        assertTrue(max > 0.95 * bound, "max |value| " + max + " is far below bound " + bound);
    }

    private static double std(NDArray values) {
        return Math.sqrt(values.to(io.jgrad.tensor.DType.FLOAT64).var().item());
    }

    @Test
    void linearAndConvDefaultsAreUniformOverOneOverRootFanIn() {
        Linear linear = new Linear(100, 50);
        assertFillsBound(1 / Math.sqrt(100), linear.weight.data());
        assertFillsBound(1 / Math.sqrt(100), linear.bias.data());

        Conv2d conv = new Conv2d(8, 64, 3, 1, 1, 1, 2, true);      // fanIn = 8/2·3·3 = 36
        assertFillsBound(1 / 6.0, conv.weight.data());
        assertFillsBound(1 / 6.0, conv.bias.data());
        assertArrayEquals(new int[] {64, 4, 3, 3}, conv.weight.shape());

        Conv1d conv1d = new Conv1d(16, 128, 4);                      // fanIn = 64
        assertFillsBound(1 / 8.0, conv1d.weight.data());
        assertFillsBound(1 / 8.0, conv1d.bias.data());
    }

    @Test
    void xavierAndKaimingBoundsAndSpreads() {
        assertFillsBound(Math.sqrt(6.0 / (200 + 300)), Init.xavierUniform(1, 300, 200));
        assertFillsBound(2 * Math.sqrt(6.0 / (200 + 300)), Init.xavierUniform(2, 300, 200));
        assertFillsBound(Math.sqrt(6.0 / 200), Init.kaimingUniform(0, 300, 200));
        assertEquals(Math.sqrt(6.0 / 200) / Math.sqrt(3), std(Init.kaimingUniform(0, 300, 200)), 0.03 * Math.sqrt(2.0 / 200));
        // 60 000 draws: the sample std is within about 1% of the true one; 3% is a safe margin
        assertEquals(Math.sqrt(2.0 / 500), std(Init.xavierNormal(1, 300, 200)), 0.03 * Math.sqrt(2.0 / 500));
        assertEquals(Math.sqrt(2.0 / 200), std(Init.kaimingNormal(0, 300, 200)), 0.03 * Math.sqrt(2.0 / 200));
        assertEquals(Math.sqrt(2.0 / (1.25 * 20 * 9)), std(Init.kaimingNormal(0.5, 400, 20, 3, 3)), 0.03 * Math.sqrt(2.0 / (1.25 * 180)));
        assertEquals(1.0, std(new Embedding(1000, 60).weight.data()), 0.03);
    }

    @Test
    void fansCountTheReceptiveField() {
        assertArrayEquals(new int[] {4 * 9, 16 * 9}, Init.fans(16, 4, 3, 3));
        assertArrayEquals(new int[] {10, 3}, Init.fans(3, 10));
    }

    @Test
    void normalisationLayersStartAsTheIdentity() {
        var state = new BatchNorm2d(3).stateDict();
        assertArrayEquals(new double[] {1, 1, 1}, state.get("weight").toDoubleArray());
        assertArrayEquals(new double[] {0, 0, 0}, state.get("bias").toDoubleArray());
        assertArrayEquals(new double[] {0, 0, 0}, state.get("running_mean").toDoubleArray());
        assertArrayEquals(new double[] {1, 1, 1}, state.get("running_var").toDoubleArray());
        assertEquals(0, state.get("num_batches_tracked").item());
    }

    @Test
    void manualSeedMakesInitialisationRepeatable() {
        Init.manualSeed(123);
        double[] a = new Conv2d(2, 3, 3).weight.data().toDoubleArray();
        Init.manualSeed(123);
        assertArrayEquals(a, new Conv2d(2, 3, 3).weight.data().toDoubleArray(), 0);
    }
}
