package io.jgrad.optimizers;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.FusedUpdates;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.SgdStep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fused updates of one optimiser step, collected so that parameters sharing the step's scalars, dtype and
 * backend are updated together ({@link FusedUpdates#adamAll}, {@link FusedUpdates#sgdAll}: one launch on a GPU,
 * as PyTorch's {@code foreach}/multi-tensor path) when the step {@link #run}s them. Parameters of one group at
 * one step count share their scalars. With multi-tensor updates off, each update runs at once, on its own.
 */
public final class FusedSteps {

    /** What a batch shares: the step's scalars (a record), the dtype and the backend. */
    private record Key(Object step, DType dtype, Backend backend) {
    }

    /** The arrays of one batch, one list per role (param, grad, then the state arrays); a null list is a role not used. */
    private record Batch(List<List<NDArray>> roles) {
        static Batch of(int roles) {
            List<List<NDArray>> lists = new ArrayList<>();
            for (int r = 0; r < roles; r++) lists.add(new ArrayList<>());
            return new Batch(lists);
        }

        void add(NDArray... arrays) {
            for (int r = 0; r < arrays.length; r++) roles.get(r).add(arrays[r]);
        }

        /** The list of role {@code r}, or null when that role's arrays are null (vMax without amsgrad, no momentum). */
        List<NDArray> role(int r) {
            List<NDArray> list = roles.get(r);
            return list.get(0) == null ? null : list;
        }
    }

    private final boolean multiTensor;
    private final Map<Key, Batch> batches = new LinkedHashMap<>();

    FusedSteps(boolean multiTensor) {
        this.multiTensor = multiTensor;
    }

    /** One Adam/AdamW update ({@link FusedUpdates#adam}); the arrays already qualify. */
    public void adam(AdamStep step, NDArray param, NDArray grad, NDArray m, NDArray v, NDArray vMax) {
        if (!multiTensor) {
            FusedUpdates.adam(step, param, grad, m, v, vMax);
            return;
        }
        batches.computeIfAbsent(new Key(step, param.dtype(), param.backend()), k -> Batch.of(5)).add(param, grad, m, v, vMax);
    }

    /** One SGD update ({@link FusedUpdates#sgd}); the arrays already qualify. */
    public void sgd(SgdStep step, NDArray param, NDArray grad, NDArray momentumBuffer) {
        if (!multiTensor) {
            FusedUpdates.sgd(step, param, grad, momentumBuffer);
            return;
        }
        batches.computeIfAbsent(new Key(step, param.dtype(), param.backend()), k -> Batch.of(3)).add(param, grad, momentumBuffer);
    }

    /** Runs every collected batch: one backend call each. */
    void run() {
        batches.forEach((key, b) -> {
            if (key.step() instanceof AdamStep s) FusedUpdates.adamAll(s, b.role(0), b.role(1), b.role(2), b.role(3), b.role(4));
            else FusedUpdates.sgdAll((SgdStep) key.step(), b.role(0), b.role(1), b.role(2));
        });
        batches.clear();
    }
}
