package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.MultiTensorTable;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The device copies of the multi-tensor kernels' tables, one per kind of update. A training loop updates the
 * same parameters, usually with gradients in the same cached blocks, so a table is uploaded (through the pinned
 * staging path, without waiting) only when its contents differ from the last one of its kind; otherwise the
 * launch reuses the copy already on the device. Keyed by contents, a reused table is valid by construction.
 */
final class MultiTensorTables {

    private record Cached(long[] records, CudaStorage device) {
    }

    private final CudaRuntime rt;
    private final Map<String, Cached> last = new HashMap<>();
    private int uploads;

    MultiTensorTables(CudaRuntime rt) {
        this.rt = rt;
    }

    /** The device copy of {@code table}, for updates of kind {@code kind} (e.g. {@code adam.float}). */
    synchronized CudaStorage device(String kind, MultiTensorTable table) {
        Cached cached = last.get(kind);
        if (cached != null && Arrays.equals(cached.records(), table.records())) return cached.device();
        CudaStorage device = rt.upload(new HostStorage.Int64(table.records().clone()));
        // The replaced copy's block returns to the allocator; launches already enqueued still read it first (one stream).
        if (cached != null) cached.device().close();
        last.put(kind, new Cached(table.records().clone(), device));
        uploads++;
        return device;
    }

    /** How many tables were uploaded so far (the rest were reused): for tests. */
    synchronized int uploads() {
        return uploads;
    }
}
