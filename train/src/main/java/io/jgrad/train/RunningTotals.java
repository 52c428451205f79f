package io.jgrad.train;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;

/**
 * An epoch's summed training loss (each batch's mean loss times its size) and count of correct predictions so far,
 * kept on the model's device. Adding a batch only queues a few small kernels, so a training step on a GPU never
 * waits for the device to hand its loss to the host; {@link #read()} does that, at log points and at the end of
 * the epoch. The sums are float64, as the host sums they replace were: on the CPU every number is the same to
 * the last bit (a float32 loss is exact in double, and the products and sums are the same double operations).
 */
final class RunningTotals {

    /** The two sums as the host sees them. */
    record Read(double lossSum, double correct) {
    }

    private final NDArray lossSum;
    private final NDArray correct;

    RunningTotals(Device device) {
        this.lossSum = NDArray.zeros(DType.FLOAT64, device);
        this.correct = NDArray.zeros(DType.FLOAT64, device);
    }

    /** Adds one batch: {@code loss} is its mean loss (0-d), {@code logits} {@code [N, classes]}, {@code labels} the class indices {@code [N]}. */
    void add(NDArray loss, NDArray logits, NDArray labels, int batchSize) {
        lossSum.addInPlace(loss.to(DType.FLOAT64).mul(batchSize));
        correct.addInPlace(logits.argmax(1, false).eq(labels.to(DType.INT64)).sum().to(DType.FLOAT64));
    }

    /** Both sums on the host; waits for the device to finish what it has queued. */
    Read read() {
        return new Read(lossSum.item(), correct.item());
    }
}
