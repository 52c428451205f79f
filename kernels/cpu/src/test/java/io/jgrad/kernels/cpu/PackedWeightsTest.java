package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.assertBitwise;
import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jgrad.tensor.FusedUpdates;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.SgdStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** Cached packed weights ({@link PackedWeights}): reused while unchanged, repacked after an in-place write. */
@Isolated
class PackedWeightsTest {

    private final Generator gen = new Generator(5);

    /** x·Wᵀ with 24 rows (the packed path, not the few-row one) and its reference. */
    private NDArray product(NDArray x, NDArray w) {
        return VectorGemmTest.check(x, w.t(), zeros(x.shape(0), w.shape(0)), "x·Wᵀ");
    }

    @Test
    void secondUseAdmitsThenHitsAndAnOptimiserStepInvalidates() {
        PackedWeights.clear();
        NDArray x = randn(gen, 24, 130), w = randn(gen, 70, 130);
        long hits0 = PackedWeights.hits(), packs0 = PackedWeights.packs();
        NDArray first = product(x, w);
        assertEquals(packs0, PackedWeights.packs(), "first sight: nothing cached");
        NDArray second = product(x, w);
        assertEquals(packs0 + 1, PackedWeights.packs(), "second sight: packed into the cache");
        NDArray third = product(x, w);
        assertEquals(hits0 + 1, PackedWeights.hits(), "third product reads the cached panels");
        assertBitwise(first, second, "cached packing gives the bits of a fresh one");
        assertBitwise(first, third, "cache hit gives the bits of a fresh packing");

        // an SGD step writes w in place (and bumps its version): the next product must see the new weights
        NDArray grad = randn(gen, 70, 130);
        FusedUpdates.sgd(new SgdStep(0.5, 0, 0, 0, false, false, true), w, grad, null);
        NDArray after = product(x, w);
        assertEquals(packs0 + 2, PackedWeights.packs(), "repacked after the step");
        assertFalse(after.allClose(first, 1e-3, 1e-3), "result changed with the weights");
        product(x, w);
        assertEquals(hits0 + 2, PackedWeights.hits(), "and hits again after that");
    }

    @Test
    void otherViewsOfTheSameStorageAreOtherEntries() {
        PackedWeights.clear();
        NDArray storage = randn(gen, 160, 64), x = randn(gen, 24, 64);
        NDArray top = storage.narrow(0, 0, 80), bottom = storage.narrow(0, 80, 80);
        for (int i = 0; i < 3; i++) {
            product(x, top);
            product(x, bottom);
            product(x.narrow(1, 0, 40), storage.narrow(1, 0, 40).narrow(0, 0, 50));
        }
        // an assign through another view of the storage also invalidates
        long packs = PackedWeights.packs();
        top.assign(randn(gen, 80, 64));
        product(x, bottom);
        assertEquals(packs + 1, PackedWeights.packs(), "a write anywhere in the storage repacks");
    }

    @Test
    void freshOperandsAreNeverPacked() {
        PackedWeights.clear();
        NDArray x = randn(gen, 24, 50);
        long packs = PackedWeights.packs();
        for (int i = 0; i < 20; i++) product(x, randn(gen, 66, 50));
        assertEquals(packs, PackedWeights.packs());
    }

    @Test
    void threadsShareEntriesSafely() throws InterruptedException {
        PackedWeights.clear();
        NDArray w = randn(gen, 90, 100), x = randn(gen, 24, 100);
        NDArray once = zeros(24, 90);
        VECTOR.matmul(x, w.t(), once);
        Thread[] threads = new Thread[4];
        AssertionError[] failure = new AssertionError[1];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    NDArray out = zeros(24, 90);
                    new VectorBackend(1).matmul(x, w.t(), out);
                    try {
                        assertBitwise(once, out, "concurrent product");
                    } catch (AssertionError e) {
                        failure[0] = e;
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) t.join();
        if (failure[0] != null) throw failure[0];
    }

    /**
     * A product large enough to split over threads, with B from the cache: the tasks take row ranges (each
     * packs only its rows of A), and the bits are those of one thread, where nothing is split.
     */
    @Test
    void cachedProductSplitByRowsGivesTheBitsOfOneThread() {
        PackedWeights.clear();
        NDArray x = randn(gen, 67, 131), w = randn(gen, 129, 131);
        VectorBackend one = new VectorBackend(1), two = new VectorBackend(2);
        NDArray single = zeros(67, 129);
        one.matmul(x, w.t(), single);
        long hits0 = PackedWeights.hits();
        for (int i = 0; i < 3; i++) {
            NDArray split = zeros(67, 129);
            two.matmul(x, w.t(), split);
            assertBitwise(single, split, "2 threads, product " + (i + 1));
        }
        assertEquals(hits0 + 2, PackedWeights.hits(), "the last two products read B from the cache");
    }

    /**
     * A convolution's weights, forward and as the transposed convolution of the input gradient (two keys of one
     * storage): the same bits from the cache as freshly packed, and the new weights after an in-place step.
     */
    @Test
    void convolutionWeightsAreCachedPerUseAndRepackedAfterAStep() {
        PackedWeights.clear();
        NDArray x = randn(gen, 2, 5, 9, 7), w = randn(gen, 6, 5, 3, 3), bias = randn(gen, 6), gradOut = randn(gen, 2, 6, 9, 7);
        ConvGeometry geo = ConvGeometry.of(x.shape(), w.shape(), ConvParams.of(1, 1, 1, 1));
        NDArray[] forward = new NDArray[3], inputGrad = new NDArray[3];
        long packs0 = PackedWeights.packs(), hits0 = PackedWeights.hits();
        for (int i = 0; i < 3; i++) {
            forward[i] = zeros(2, 6, 9, 7);
            VECTOR.conv2d(x, w, bias, geo, forward[i]);
            inputGrad[i] = zeros(2, 5, 9, 7);
            VECTOR.conv2dBackwardInput(gradOut, w, geo, inputGrad[i]);
        }
        assertEquals(packs0 + 2, PackedWeights.packs(), "each use packed into the cache on its second sight");
        assertEquals(hits0 + 2, PackedWeights.hits(), "and read from it on the third");
        for (int i = 1; i < 3; i++) {
            assertBitwise(forward[0], forward[i], "forward, call " + i);
            assertBitwise(inputGrad[0], inputGrad[i], "input gradient, call " + i);
        }
        FusedUpdates.sgd(new SgdStep(0.5, 0, 0, 0, false, false, true), w, randn(gen, 6, 5, 3, 3), null);
        NDArray after = zeros(2, 6, 9, 7), fresh = zeros(2, 6, 9, 7);
        VECTOR.conv2d(x, w, bias, geo, after);
        VECTOR.conv2d(x, w.copy(), bias, geo, fresh); // a copy of the new weights: a storage the cache has never seen
        assertBitwise(fresh, after, "the stepped weights, repacked");
        assertFalse(after.allClose(forward[0], 1e-3, 1e-3), "result changed with the weights");
    }
}
