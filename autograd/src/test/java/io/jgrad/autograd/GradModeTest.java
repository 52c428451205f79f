package io.jgrad.autograd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.jgrad.autograd.ArrayAssertions.assertValues;
import static io.jgrad.autograd.Float64Leaves.leaf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GradMode#noGrad()} and {@link GradMode#enableGrad()} scopes, as {@code torch.no_grad} / {@code torch.enable_grad}. */
@SuppressWarnings("try") // the scopes are opened for their effect and never referenced
class GradModeTest {

    @AfterEach
    void recordingIsOnAfterEveryTest() {
        assertTrue(GradMode.isEnabled(), "a test left recording off");
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor y;
        try (var scope = GradMode.noGrad()) {
            assertFalse(GradMode.isEnabled());
            y = x.mul(x).exp().sum();
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
            assertTrue(y.isLeaf());
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(y.requiresGrad(), "closing the scope does not change tensors made inside it");
        Tensor z = x.mul(x).sum();
        assertTrue(z.requiresGrad());
        assertTrue(z.gradFn().equals("SUM"));
    }

    @Test
    void enableGradInsideNoGradRecordsAgain() {
        Tensor x = leaf(new double[] {1, 2}, 2);
        try (var outer = GradMode.noGrad()) {
            try (var inner = GradMode.enableGrad()) {
                assertTrue(GradMode.isEnabled());
                Tensor y = x.square().sum();
                assertTrue(y.requiresGrad());
                y.backward();
            }
            assertFalse(GradMode.isEnabled(), "closing enableGrad restores the enclosing noGrad");
            assertFalse(x.square().requiresGrad());
        }
        assertValues(new double[] {2, 4}, new int[] {2}, x.grad(), 0);
    }

    @Test
    void scopesRestoreThePreviousStateWhenNested() {
        try (var a = GradMode.noGrad()) {
            try (var b = GradMode.noGrad()) {
                assertFalse(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled(), "an inner noGrad must not switch recording back on");
            try (var c = GradMode.enableGrad()) {
                try (var d = GradMode.noGrad()) {
                    assertFalse(GradMode.isEnabled());
                }
                assertTrue(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
    }

    @Test
    void scopeIsRestoredWhenTheBodyThrows() {
        try (var scope = GradMode.noGrad()) {
            throw new IllegalStateException("boom");
        } catch (IllegalStateException expected) {
            assertTrue(GradMode.isEnabled());
        }
    }

    @Test
    void backwardOfAGraphRecordedEarlierWorksInsideNoGrad() {
        // as in PyTorch, noGrad stops recording, not differentiation of what was recorded
        Tensor x = leaf(new double[] {1, 2}, 2);
        Tensor loss = x.square().sum();
        try (var scope = GradMode.noGrad()) {
            loss.backward();
        }
        assertValues(new double[] {2, 4}, new int[] {2}, x.grad(), 0);
    }

    @Test
    void leavesCanStillBeMarkedInsideNoGrad() {
        try (var scope = GradMode.noGrad()) {
            Tensor x = leaf(new double[] {1}, 1);
            assertTrue(x.requiresGrad());
            assertFalse(x.exp().requiresGrad());
        }
    }

    @Test
    void theStateIsPerThread() throws Exception {
        Tensor x = leaf(new double[] {1, 2}, 2);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            try (var scope = GradMode.noGrad()) {
                Future<Tensor> other = pool.submit(() -> x.mul(x));
                Tensor there = other.get(10, TimeUnit.SECONDS);
                assertTrue(there.requiresGrad(), "another thread still records while this one is in noGrad");
                assertFalse(x.mul(x).requiresGrad());
            }
            // and the other way round: a thread inside noGrad does not stop this one
            CountDownLatch entered = new CountDownLatch(1), checked = new CountDownLatch(1);
            Future<Boolean> inside = pool.submit(() -> {
                try (var scope = GradMode.noGrad()) {
                    entered.countDown();
                    checked.await(10, TimeUnit.SECONDS);
                    return x.mul(x).requiresGrad();
                }
            });
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            assertTrue(GradMode.isEnabled());
            assertTrue(x.mul(x).requiresGrad());
            checked.countDown();
            assertFalse(inside.get(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }
}
