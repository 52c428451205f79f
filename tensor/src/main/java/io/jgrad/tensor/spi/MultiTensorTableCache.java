package io.jgrad.tensor.spi;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A GPU backend's device copies of its multi-tensor kernels' tables ({@link MultiTensorTable}), one per kind of
 * launch. A training loop updates the same parameters, usually with gradients in the same cached blocks, so a
 * table is uploaded (without waiting) only when its contents differ from the last one of its kind; otherwise the
 * launch reuses the copy already on the device. Keyed by contents, a reused table is valid by construction.
 *
 * @param <S> the backend's storage
 */
public final class MultiTensorTableCache<S> {

    private record Cached<S>(long[] records, S device) {
    }

    private final Function<HostStorage, S> upload;
    private final Consumer<S> release;
    private final Map<String, Cached<S>> last = new HashMap<>();
    private int uploads;

    /**
     * @param upload  copies a table to the device without waiting for the copy
     * @param release returns a replaced copy's memory; launches already enqueued on the backend's one in-order
     *                queue still read it first
     */
    public MultiTensorTableCache(Function<HostStorage, S> upload, Consumer<S> release) {
        this.upload = upload;
        this.release = release;
    }

    /** The device copy of {@code table}, for launches of kind {@code kind} (e.g. {@code adam.float}). */
    public synchronized S device(String kind, MultiTensorTable table) {
        Cached<S> cached = last.get(kind);
        if (cached != null && Arrays.equals(cached.records(), table.records())) return cached.device();
        long[] records = table.records().clone();   // the upload's source and the cache's key; neither changes it
        S device = upload.apply(new HostStorage.Int64(records));
        if (cached != null) release.accept(cached.device());
        last.put(kind, new Cached<>(records, device));
        uploads++;
        return device;
    }

    /** How many tables were uploaded so far (the rest were reused): for tests. */
    public synchronized int uploads() {
        return uploads;
    }
}
