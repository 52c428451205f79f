package io.jgrad.data;

import io.jgrad.data.DataLoader.BatchIterator;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class DataLoaderTest {

    /** The example indices of every batch of one epoch. */
    private static List<int[]> epoch(Iterable<Batch> epoch) {
        List<int[]> out = new ArrayList<>();
        for (Batch b : epoch) out.add(Indexed.indices(b));
        return out;
    }

    private static int[] flat(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    private static void assertEnds(Thread worker) throws InterruptedException {
        assertNotNull(worker, "prefetching runs on a worker thread");
        worker.join(5000);
        assertFalse(worker.isAlive(), "worker thread " + worker.getName() + " still running");
    }

    @ParameterizedTest(name = "prefetch={0}")
    @ValueSource(ints = {0, 2})
    void batchCountsWithAndWithoutDropLast(int prefetch) {
        TensorDataset ds = Indexed.dataset(10);
        DataLoader keep = DataLoader.builder(ds).batchSize(3).prefetch(prefetch).build();
        List<int[]> batches = epoch(keep);
        assertEquals(4, keep.batchesPerEpoch());
        assertEquals(List.of(3, 3, 3, 1), batches.stream().map(b -> b.length).toList());
        assertArrayEquals(IntStream.range(0, 10).toArray(), flat(batches), "no shuffle: dataset order");

        DataLoader drop = DataLoader.builder(ds).batchSize(3).dropLast(true).prefetch(prefetch).build();
        assertEquals(3, drop.batchesPerEpoch());
        assertEquals(List.of(3, 3, 3), epoch(drop).stream().map(b -> b.length).toList());

        DataLoader exact = DataLoader.builder(ds).batchSize(5).dropLast(true).prefetch(prefetch).build();
        assertEquals(2, epoch(exact).size(), "nothing to drop when the size divides");
    }

    @ParameterizedTest(name = "prefetch={0}")
    @ValueSource(ints = {0, 2})
    void batchSizeNearIntMaxGivesOneBatchNotAnOverflow(int prefetch) {
        // (n + batchSize - 1) / batchSize overflowed to a negative count: no batches, and eval printed NaN%.
        DataLoader huge = DataLoader.builder(Indexed.dataset(1000)).batchSize(2147482649).prefetch(prefetch).build();
        assertEquals(1, huge.batchesPerEpoch());
        assertEquals(List.of(1000), epoch(huge).stream().map(b -> b.length).toList());
        DataLoader max = DataLoader.builder(Indexed.dataset(7)).batchSize(Integer.MAX_VALUE).prefetch(prefetch).build();
        assertEquals(1, max.batchesPerEpoch());
        assertEquals(0, DataLoader.builder(Indexed.dataset(7)).batchSize(Integer.MAX_VALUE).dropLast(true).build().batchesPerEpoch());
    }

    @Test
    void batchShapesAndTypes() {
        Batch b = DataLoader.builder(Indexed.dataset(5)).batchSize(4).build().iterator().next();
        assertArrayEquals(new int[] {4, 1, 2, 2}, b.inputs().shape());
        assertEquals(DType.FLOAT32, b.inputs().dtype());
        assertArrayEquals(new int[] {4}, b.labels().shape());
        assertEquals(DType.INT64, b.labels().dtype());
        assertArrayEquals(new long[] {0, 1, 2, 3}, b.labels().toLongArray());
    }

    @Test
    void everyExampleOncePerShuffledEpoch() {
        DataLoader loader = DataLoader.builder(Indexed.dataset(103)).batchSize(8).shuffle(true).seed(5).build();
        for (int e = 0; e < 3; e++) {
            int[] seen = flat(epoch(loader));
            int[] sorted = seen.clone();
            Arrays.sort(sorted);
            assertArrayEquals(IntStream.range(0, 103).toArray(), sorted);
            assertFalse(Arrays.equals(sorted, seen), "shuffled");
        }
    }

    @Test
    void shuffleIsDeterministicPerSeedAndEpoch() {
        TensorDataset ds = Indexed.dataset(50);
        DataLoader a = DataLoader.builder(ds).batchSize(7).shuffle(true).seed(42).build();
        DataLoader b = DataLoader.builder(ds).batchSize(7).shuffle(true).seed(42).prefetch(0).build();
        int[] a0 = flat(epoch(a)), a1 = flat(epoch(a)), a2 = flat(epoch(a));
        assertArrayEquals(a0, flat(epoch(b)), "same seed, same first epoch, with or without prefetching");
        assertArrayEquals(a1, flat(epoch(b)));
        assertArrayEquals(a2, flat(epoch(b)));
        assertFalse(Arrays.equals(a0, a1), "each epoch has a new order");
        assertFalse(Arrays.equals(a1, a2));

        assertArrayEquals(a1, flat(epoch(() -> a.epoch(1))), "epoch(1) replays the second epoch");
        assertArrayEquals(a2, flat(epoch(a)), "and the next iterator continues with epoch 2");

        DataLoader other = DataLoader.builder(ds).batchSize(7).shuffle(true).seed(43).build();
        assertFalse(Arrays.equals(a0, flat(epoch(other))), "another seed, another order");
    }

    @Test
    void transformsRunPerExampleAndAreSeeded() {
        Transform noise = (x, gen) -> x.add(gen.nextDouble());
        DataLoader a = DataLoader.builder(Indexed.dataset(20)).batchSize(6).transform(noise).seed(1).build();
        DataLoader b = DataLoader.builder(Indexed.dataset(20)).batchSize(6).transform(noise).seed(1).prefetch(0).build();
        for (int e = 0; e < 2; e++) {
            BatchIterator ia = a.iterator(), ib = b.iterator();
            while (ia.hasNext()) assertArrayEquals(ia.next().inputs().toFloatArray(), ib.next().inputs().toFloatArray());
            assertFalse(ib.hasNext());
        }
        float[] x = a.epoch(0).next().inputs().toFloatArray();
        assertTrue(x[0] > 0 && x[0] < 1 && x[4] > 1 && x[4] < 2, "example 1 got its own draw: " + Arrays.toString(x));
    }

    @ParameterizedTest(name = "prefetch={0}")
    @ValueSource(ints = {0, 1, 3})
    void failureInTheWorkerIsRethrownWithItsCause(int prefetch) throws InterruptedException {
        TensorDataset base = Indexed.dataset(20);
        IllegalStateException boom = new IllegalStateException("disk on fire");
        Dataset failing = new Dataset() {
            @Override public int size() { return base.size(); }
            @Override public Example get(int i) {
                if (i == 13) throw boom;
                return base.get(i);
            }
        };
        BatchIterator it = DataLoader.builder(failing).batchSize(4).prefetch(prefetch).build().iterator();
        for (int k = 0; k < 3; k++) assertEquals(4, it.next().size(), "batches before the failure arrive");
        DataLoaderException e = assertThrows(DataLoaderException.class, it::next);
        assertSame(boom, e.getCause());
        assertTrue(e.getMessage().contains("batch 3 of epoch 0") && e.getMessage().contains("disk on fire"), e.getMessage());
        assertFalse(it.hasNext(), "the epoch ends at its first failure");
        if (prefetch > 0) assertEnds(it.worker());
    }

    @Test
    void workerStopsWhenTheConsumerClosesEarly() throws InterruptedException {
        DataLoader loader = DataLoader.builder(Indexed.dataset(1000)).batchSize(2).prefetch(2).build();
        Thread worker;
        try (BatchIterator it = loader.iterator()) {
            it.next();
            worker = it.worker();
            assertTrue(worker.isDaemon());
        } // the worker is blocked on a full queue here
        assertEnds(worker);
    }

    @Test
    void workerEndsWithTheEpoch() throws InterruptedException {
        BatchIterator it = DataLoader.builder(Indexed.dataset(9)).batchSize(2).build().iterator();
        while (it.hasNext()) it.next();
        assertEnds(it.worker());
    }

    @Test
    void workerOfAnAbandonedIteratorStopsOnceCollected() throws InterruptedException {
        Thread worker = abandonAfterOneBatch(DataLoader.builder(Indexed.dataset(1000)).batchSize(2).build());
        for (int i = 0; i < 100 && worker.isAlive(); i++) {
            System.gc();
            worker.join(100);
        }
        assertFalse(worker.isAlive(), "an iterator dropped by a break out of a for-each does not leave its thread behind");
    }

    private static Thread abandonAfterOneBatch(DataLoader loader) {
        for (Batch b : loader) {
            assertNotNull(b);
            break;
        }
        // The for-each's iterator is unreachable now; find its worker by name, newest first.
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("jgrad-data-loader-") && t.isAlive())
                .max((x, y) -> Integer.compare(number(x), number(y)))
                .orElseGet(() -> fail("no worker thread"));
    }

    private static int number(Thread t) {
        return Integer.parseInt(t.getName().substring("jgrad-data-loader-".length()));
    }

    @Test
    void emptyDatasetGivesNoBatchesAndNoThread() {
        BatchIterator it = DataLoader.builder(Indexed.dataset(0)).batchSize(4).build().iterator();
        assertFalse(it.hasNext());
        assertNull(it.worker());
    }

    @Test
    void examplesOfDifferentShapesInOneBatchAreAnError() {
        Transform grow = (x, gen) -> NDArray.zeros(1, 2, (int) x.toFloatArray()[0] % 2 + 1);
        BatchIterator it = DataLoader.builder(Indexed.dataset(4)).batchSize(4).prefetch(0).transform(grow).build().iterator();
        DataLoaderException e = assertThrows(DataLoaderException.class, it::next);
        assertTrue(e.getMessage().contains("example 1 has input shape [1, 2, 2] but example 0 in the same batch has [1, 2, 1]"), e.getMessage());
    }

    @Test
    void badSettingsAreRejected() {
        TensorDataset ds = Indexed.dataset(3);
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(ds).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(ds).prefetch(-1));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(null));
    }
}
