package io.jgrad.data;

import io.jgrad.tensor.Generator;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Batches of a {@link Dataset}, as {@code torch.utils.data.DataLoader}: optional shuffling, an optional
 * per-example {@link Transform}, {@code dropLast}, and prefetching on a background thread.
 *
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(train).batchSize(128).shuffle(true).seed(42).build();
 * for (int epoch = 0; epoch < 3; epoch++) {
 *     for (Batch batch : loader) { ... batch.inputs(), batch.labels() ... }
 * }
 * }</pre>
 *
 * <p><b>Determinism.</b> Each call of {@link #iterator()} is a new epoch: epoch 0, 1, 2, ... Epoch {@code e}
 * draws its order and its augmentation from {@code new Generator(derive(seed, e))}, so every epoch has a new
 * order, and two loaders with the same seed and settings give the same batches epoch by epoch, with or
 * without prefetching. {@link #epoch(long)} starts a given epoch (to resume a run).
 *
 * <p><b>Prefetching.</b> With {@code prefetch > 0} (default 2) each epoch's batches are built on one daemon
 * thread, at most {@code prefetch} batches ahead. An exception there is rethrown from {@code next()} as a
 * {@link DataLoaderException} with the original as its cause. The thread ends at the end of the epoch, on
 * {@link BatchIterator#close()}, or, for an iterator dropped part-way (a {@code break} out of a for-each),
 * once the garbage collector finds it unreachable. {@code prefetch(0)} builds batches on the caller's thread.
 */
public final class DataLoader implements Iterable<Batch> {

    /** Stops the worker of an iterator that was dropped without being closed. */
    private static final class Cleaning {
        static final Cleaner CLEANER = Cleaner.create();
    }

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final Transform transform;
    private final int prefetch;
    private long nextEpoch;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.seed = b.seed;
        this.transform = b.transform;
        this.prefetch = b.prefetch;
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** Batches in each epoch. */
    public int batchesPerEpoch() {
        return EpochBatches.count(dataset.size(), batchSize, dropLast);
    }

    public Dataset dataset() {
        return dataset;
    }

    /** The next epoch (0 first). */
    @Override
    public BatchIterator iterator() {
        return epoch(nextEpoch);
    }

    /** Epoch {@code epoch}; the following {@link #iterator()} is epoch {@code epoch + 1}. */
    public BatchIterator epoch(long epoch) {
        if (epoch < 0) throw new IllegalArgumentException("DataLoader: epoch must be >= 0, got " + epoch);
        nextEpoch = epoch + 1;
        Generator gen = new Generator(Seeds.derive(seed, epoch));
        return new BatchIterator(new EpochBatches(dataset, batchSize, shuffle, dropLast, transform, gen), epoch, prefetch);
    }

    static DataLoaderException failure(long epoch, int batch, Throwable cause) {
        return new DataLoaderException("DataLoader: building batch " + batch + " of epoch " + epoch + " failed: " + cause, cause);
    }

    /** The batches of one epoch. Close it to stop its prefetching thread when leaving before the end. */
    public static final class BatchIterator implements Iterator<Batch>, AutoCloseable {

        private final EpochBatches batches; // without prefetching
        private final Prefetcher prefetcher; // with prefetching
        private final Cleaner.Cleanable cleanable;
        private final long epoch;
        private Batch ahead;
        private boolean done;

        private BatchIterator(EpochBatches batches, long epoch, int prefetch) {
            this.epoch = epoch;
            if (prefetch > 0 && batches.hasNext()) {
                this.batches = null;
                this.prefetcher = new Prefetcher(batches, epoch, prefetch);
                // The action holds the prefetcher, never this iterator, so the iterator can become unreachable.
                this.cleanable = Cleaning.CLEANER.register(this, prefetcher::close);
            } else {
                this.batches = batches;
                this.prefetcher = null;
                this.cleanable = null;
            }
        }

        @Override
        public boolean hasNext() {
            if (ahead == null && !done) {
                try {
                    ahead = prefetcher != null ? prefetcher.take() : buildHere();
                } catch (RuntimeException e) {
                    close(); // the epoch ends with its first failure
                    throw e;
                }
                if (ahead == null) close();
            }
            return ahead != null;
        }

        private Batch buildHere() {
            if (!batches.hasNext()) return null;
            int index = batches.position();
            try {
                return batches.next();
            } catch (RuntimeException e) {
                throw failure(epoch, index, e);
            }
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: epoch " + epoch + " has no more batches");
            Batch b = ahead;
            ahead = null;
            return b;
        }

        /** Stops prefetching; later calls of {@link #hasNext()} return false. Idempotent. */
        @Override
        public void close() {
            done = true;
            ahead = null;
            if (cleanable != null) cleanable.clean(); // runs prefetcher.close() once
        }

        /** The prefetching thread, or null without prefetching. For tests. */
        Thread worker() {
            return prefetcher == null ? null : prefetcher.worker();
        }
    }

    /** Settings of a {@link DataLoader}; defaults: batch size 1, no shuffle, seed 0, keep the last batch, prefetch 2. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private boolean dropLast;
        private long seed;
        private Transform transform;
        private int prefetch = 2;

        private Builder(Dataset dataset) {
            if (dataset == null) throw new IllegalArgumentException("DataLoader: dataset is null");
            this.dataset = dataset;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batchSize must be >= 1, got " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Drop the last batch when it is smaller than the batch size. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Applied to every example's input before batching; null for none. */
        public Builder transform(Transform transform) {
            this.transform = transform;
            return this;
        }

        /** Batches built ahead on the background thread; 0 builds them on the caller's thread. */
        public Builder prefetch(int prefetch) {
            if (prefetch < 0) throw new IllegalArgumentException("DataLoader: prefetch must be >= 0, got " + prefetch);
            this.prefetch = prefetch;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
