package io.jgrad.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

/** In-place changes of values saved for backward are refused, as PyTorch's version counters do. */
class VersionCounterTest {

    private static Tensor leaf(float... v) {
        return Tensor.of(NDArray.of(v, v.length)).requiresGrad(true);
    }

    @Test
    void changingASavedInputAfterTheForwardIsRefused() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(x).sum();               // saves x for d(x·x) = 2x
        x.data().addInPlace(NDArray.of(new float[] {1}, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("modified by an inplace operation"), e.getMessage());
        assertTrue(e.getMessage().contains("MUL"), e.getMessage());
        assertTrue(e.getMessage().contains("is at version 1; expected version 0 instead"), e.getMessage());
    }

    @Test
    void changingASavedOutputIsRefused() {
        Tensor x = leaf(0.5f, -1f);
        Tensor y = x.exp();                      // saves its output: d(eˣ) = eˣ
        y.data().fill(0);
        assertThrows(IllegalStateException.class, () -> y.sum().backward());
    }

    @Test
    void changingASavedIndexIsRefused() {
        Tensor x = leaf(1, 2, 3);
        NDArray index = NDArray.of(new long[] {2, 0}, 2);
        Tensor y = x.gather(0, index).sum();
        index.fill(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("the array argument of GATHER"), e.getMessage());
    }

    @Test
    void everyInPlaceWriteCounts() {
        NDArray a = NDArray.of(new float[] {1, 2}, 2);
        int v0 = a.storage().version();
        a.fill(1);
        a.assign(NDArray.of(new float[] {3, 4}, 2));
        a.mulInPlace(2);
        a.slice(0, 0, 1).subInPlace(NDArray.of(new float[] {1}, 1)); // through a view: the same storage
        a.set(5, 1);
        assertEquals(v0 + 5, a.storage().version());
    }

    @Test
    void anOpThatSavesNothingIgnoresTheChange() {
        Tensor x = leaf(1, 2);
        Tensor y = x.add(x).sum();               // d(a + b) needs neither value
        x.data().addInPlace(NDArray.of(new float[] {1}, 1));
        y.backward();
        assertArrayEquals(new float[] {2, 2}, x.grad().toFloatArray());
    }

    @Test
    void anInPlaceUpdateAfterBackwardThenANewForwardIsLegal() {
        Tensor w = leaf(1, 2);
        w.mul(w).sum().backward();
        w.data().subInPlace(w.grad().mul(0.1));  // an optimiser step: the graph is freed, the next forward saves anew
        w.zeroGrad();
        w.mul(w).sum().backward();
        assertArrayEquals(new float[] {1.6f, 3.2f}, w.grad().toFloatArray(), 1e-6f);
    }
}
