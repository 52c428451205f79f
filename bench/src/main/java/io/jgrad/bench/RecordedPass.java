package io.jgrad.bench;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.CommandRecording;
import java.util.ArrayList;
import java.util.List;

/**
 * A classifier's forward pass, cross-entropy and backward pass recorded once on staging arrays
 * ({@link Backend#beginRecording}: a CUDA graph) and replayed for each batch of the same size; the optimizer step
 * stays outside (its step count and bias corrections change every step). A replay overwrites the gradient arrays
 * the recording made, and {@link #run} hands them back to the parameters, so eager steps in between (a last, smaller
 * batch) may {@code zeroGrad} as usual.
 */
final class RecordedPass implements AutoCloseable {

    private final CommandRecording recording;
    private final NDArray stagedInputs, stagedTargets;
    private final List<Tensor> parameters;
    private final List<NDArray> gradients = new ArrayList<>();

    private RecordedPass(CommandRecording recording, NDArray stagedInputs, NDArray stagedTargets, List<Tensor> parameters) {
        this.recording = recording;
        this.stagedInputs = stagedInputs;
        this.stagedTargets = stagedTargets;
        this.parameters = parameters;
        for (Tensor p : parameters) gradients.add(p.grad());
    }

    /**
     * Records {@code model}'s pass for float32 inputs of {@code inputShape} (batch first) and int64 class targets;
     * null where the backend cannot record. Call after a few eager steps of the same shapes (kernels loaded, the
     * allocator's cache filled). A failed recording throws, and leaves no gradients behind.
     */
    static RecordedPass record(Backend backend, Module model, Optimizer optimizer, CrossEntropyLoss loss, int... inputShape) {
        NDArray inputs = NDArray.zeros(DType.FLOAT32, backend.device(), inputShape);
        NDArray targets = NDArray.zeros(DType.INT64, backend.device(), inputShape[0]);
        optimizer.zeroGrad();
        CommandRecording r = backend.beginRecording();
        if (r == null) return null;
        try {
            loss.forward(model.forward(Tensor.of(inputs)), Tensor.of(targets)).backward();
            r.end();
        } catch (RuntimeException | Error e) {
            r.close();
            optimizer.zeroGrad();   // the gradients the recording made were never computed
            throw e;
        }
        return new RecordedPass(r, inputs, targets, model.parameters());
    }

    /** The pass on this batch: copied into the staging arrays, replayed; the parameters' gradients are then its own. */
    void run(NDArray inputs, NDArray targets) {
        stagedInputs.assign(inputs);
        stagedTargets.assign(targets);
        recording.replay();
        for (int i = 0; i < parameters.size(); i++) parameters.get(i).setGrad(gradients.get(i));
    }

    /** Releases the recording and the device memory kept for it. */
    @Override
    public void close() {
        recording.close();
    }
}
