package io.jgrad.tensor.spi;

/**
 * Commands recorded from a backend's queue instead of run ({@link Backend#beginRecording}), to be replayed as one
 * unit (a CUDA graph): a small model's step then costs one launch of host time instead of one per kernel. A replay
 * repeats exactly what was enqueued while recording: the same kernels, arguments and device memory. So a recorded
 * piece of work reads its inputs from arrays made before the recording (copy each new batch into them between
 * replays), leaves its results in the arrays it made while recording (their values are defined after the first
 * replay, not before), and neither reads from the device nor uploads while recording (that fails the recording with
 * a message). Arrays made while recording, and arrays a recorded command uses (even if their storage is closed
 * meanwhile), keep their memory for the recording's replays until it is closed. Values that change from step to
 * step on the host (an optimizer's step count, a learning-rate schedule) must stay outside it: record the forward
 * and backward pass, and run the optimizer step after each replay (a fused optimizer update is refused while
 * recording). The gradients the recorded backward pass made are the arrays each replay overwrites: do not
 * {@code zeroGrad()} between replays (it drops them, and the optimizer then skips every parameter). Record from one
 * thread, after a few eager runs of the same work (kernels load and the allocator's cache fills outside the
 * recording). If a recording fails, the arrays made while recording hold undefined values.
 */
public interface CommandRecording extends AutoCloseable {

    /** Stops recording; the commands become replayable. Throws, with the driver's reason, when the recording failed. */
    void end();

    /** Enqueues the recorded commands once more, after everything enqueued before; they run in order with what follows. */
    void replay();

    /** Releases the recorded commands and the device memory kept for them (waiting for replays still running). */
    @Override
    void close();
}
