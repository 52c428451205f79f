package io.jgrad.data;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds an epoch's batches on one daemon thread, at most {@code depth} ahead of the consumer (a bounded
 * queue, so memory stays at {@code depth} batches however slow the training step is). A failure travels
 * through the queue in order, after the batches built before it. {@link #close} interrupts the worker,
 * which then ends: it only ever blocks in {@code queue.put}.
 */
final class Prefetcher implements Runnable {

    private static final AtomicInteger THREADS = new AtomicInteger();

    /** The end of the epoch. */
    private static final Object END = new Object();

    /** What the worker sends when building batch {@code index} threw. */
    private record Failure(int index, Throwable error) {
    }

    private final EpochBatches batches;
    private final long epoch;
    private final BlockingQueue<Object> queue;
    private final Thread worker;

    Prefetcher(EpochBatches batches, long epoch, int depth) {
        this.batches = batches;
        this.epoch = epoch;
        this.queue = new ArrayBlockingQueue<>(depth);
        this.worker = new Thread(this, "jgrad-data-loader-" + THREADS.incrementAndGet());
        worker.setDaemon(true); // a consumer that forgets to close must not keep the JVM alive
        worker.start();
    }

    @Override
    public void run() {
        try {
            while (batches.hasNext()) {
                int index = batches.position();
                Object item;
                try {
                    item = batches.next();
                } catch (Throwable t) { // Errors too: otherwise the consumer would wait forever
                    item = new Failure(index, t);
                }
                queue.put(item);
                if (item instanceof Failure) return;
            }
            queue.put(END);
        } catch (InterruptedException e) {
            // closed by the consumer: stop quietly
        }
    }

    /** The next batch, or null at the end of the epoch. */
    Batch take() {
        Object item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new DataLoaderException("DataLoader: interrupted while waiting for a batch of epoch " + epoch, e);
        }
        if (item == END) return null;
        if (item instanceof Failure f) throw DataLoader.failure(epoch, f.index(), f.error());
        return (Batch) item;
    }

    void close() {
        worker.interrupt();
        queue.clear(); // drop the prefetched batches now, not when this object goes
    }

    Thread worker() {
        return worker;
    }
}
