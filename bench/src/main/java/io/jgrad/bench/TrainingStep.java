package io.jgrad.bench;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.train.models.Models;

/**
 * One training step of a built-in model (forward, cross-entropy, backward, Adam) on eight rotating batches of
 * random MNIST-shaped images kept on the backend's device, ending with {@link Backend#synchronize()} so that a
 * timed step is the device's time. The model and its optimiser state are made on the device the caller made the
 * default ({@code Backends.use}).
 */
final class TrainingStep implements Runnable {

    static final int ROTATING_BATCHES = 8;

    private final Backend backend;
    private final int batch;
    private final Module model;
    private final Optimizer adam;
    private final CrossEntropyLoss loss = new CrossEntropyLoss();
    private final NDArray images;
    private final NDArray targets;
    private int next;
    private RecordedPass recorded;

    TrainingStep(Backend backend, String modelName, int batch) {
        this.backend = backend;
        this.batch = batch;
        Init.manualSeed(0);
        this.model = Models.create(modelName, new int[] {1, 28, 28}, 10);
        this.adam = Adam.builder().lr(1e-3).build(model.parameters());
        Generator gen = new Generator(0);
        this.images = NDArray.rand(gen, DType.FLOAT32, batch * ROTATING_BATCHES, 1, 28, 28).to(backend.device());
        long[] labels = new long[batch * ROTATING_BATCHES];
        for (int i = 0; i < labels.length; i++) labels[i] = gen.nextInt(10);
        this.targets = NDArray.of(labels, labels.length).to(backend.device());
    }

    @Override
    public void run() {
        enqueue();
        backend.synchronize();
    }

    /**
     * One step, timed to the end of its enqueueing, before the wait for the device: on a GPU, the host's share of a
     * step (autograd, the optimizer, one call per kernel). Near the whole step's time, the step is launch-bound.
     */
    double enqueueSeconds() {
        long t0 = System.nanoTime();
        enqueue();
        long t1 = System.nanoTime();
        backend.synchronize();
        return (t1 - t0) / 1e9;
    }

    /**
     * Records the forward and backward pass once ({@link RecordedPass}) for {@link #runRecorded} to replay; false
     * where the backend cannot record. Call after warm-up steps.
     */
    boolean record() {
        recorded = RecordedPass.record(backend, model, adam, loss, batch, 1, 28, 28);
        return recorded != null;
    }

    /** A step with the recorded forward and backward pass: the next batch copied in, a replay, Adam. */
    void runRecorded() {
        int j = (next++ % ROTATING_BATCHES) * batch;
        recorded.run(images.narrow(0, j, batch), targets.narrow(0, j, batch));
        adam.step();
        backend.synchronize();
    }

    /** Releases the recording (and the device memory kept for it). */
    void closeRecording() {
        if (recorded != null) recorded.close();
        recorded = null;
    }

    private void enqueue() {
        int j = (next++ % ROTATING_BATCHES) * batch;
        adam.zeroGrad();
        Tensor l = loss.forward(model.forward(Tensor.of(images.narrow(0, j, batch))), Tensor.of(targets.narrow(0, j, batch)));
        l.backward();
        adam.step();
    }
}
