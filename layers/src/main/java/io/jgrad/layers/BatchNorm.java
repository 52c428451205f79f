package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import java.util.Arrays;

/**
 * Batch normalisation (Ioffe and Szegedy 2015) over dim 1, the channels, of an {@code [N, C, ...]} input:
 * <pre>
 *   y = (x - μ) / √(σ² + eps) · weight + bias
 * </pre>
 * In training mode μ and σ² are the batch's per-channel mean and biased variance, and the running estimates
 * are updated in place: {@code running = (1 - momentum)·running + momentum·batch}, with the <em>unbiased</em>
 * batch variance for {@code running_var} (PyTorch's choice). A null momentum means a cumulative average,
 * {@code momentum = 1/num_batches_tracked}. In eval mode the running estimates are used instead. Without
 * {@code trackRunningStats} there are no estimates and batch statistics are used in both modes.
 *
 * <p>Parameters and buffers carry PyTorch's names: {@code weight}, {@code bias}, {@code running_mean},
 * {@code running_var}, {@code num_batches_tracked} (int64).
 */
public abstract class BatchNorm extends Module {

    protected final int numFeatures;
    private final double eps;
    private final Double momentum;
    public final Tensor weight;
    public final Tensor bias;
    private final NDArray runningMean;
    private final NDArray runningVar;
    private final NDArray numBatchesTracked;

    BatchNorm(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        if (numFeatures < 1) throw new IllegalArgumentException(getClass().getSimpleName() + ": numFeatures must be positive, got " + numFeatures);
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? registerParameter("weight", Init.constant(1, numFeatures)) : null;
        this.bias = affine ? registerParameter("bias", Init.constant(0, numFeatures)) : null;
        this.runningMean = trackRunningStats ? registerBuffer("running_mean", Init.constant(0, numFeatures)) : null;
        this.runningVar = trackRunningStats ? registerBuffer("running_var", Init.constant(1, numFeatures)) : null;
        this.numBatchesTracked = trackRunningStats ? registerBuffer("num_batches_tracked", NDArray.zeros(DType.INT64)) : null;
    }

    /** Throws naming the layer unless {@code input} has a shape this layer normalises. */
    abstract void checkInput(Tensor input);

    @Override
    public Tensor forward(Tensor input) {
        checkInput(input);
        boolean tracking = isTraining() && runningMean != null;
        double factor = momentum != null ? momentum : tracking ? 1 / (numBatchesTracked.item() + 1) : 0;
        boolean useBatchStats = isTraining() || runningMean == null;
        Tensor y = batchNorm(input, runningMean, runningVar, weight, bias, useBatchStats, factor, eps);
        if (tracking) numBatchesTracked.addInPlace(numBatchesTracked.scalarLike(1));   // after the call, so a rejected input changes nothing
        return y;
    }

    /**
     * The functional form, {@code F.batch_norm}. With {@code training}, normalises with batch statistics and,
     * when {@code runningMean}/{@code runningVar} are given, updates them in place with {@code momentum};
     * otherwise normalises with the running statistics. {@code weight} and {@code bias} may be null.
     */
    public static Tensor batchNorm(Tensor input, NDArray runningMean, NDArray runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (input.rank() < 2) throw new IllegalArgumentException("batchNorm: expected input [N, C, ...], got shape " + Shapes.str(input.shape()));
        int c = input.shape(1);
        checkPerChannel("running_mean", runningMean == null ? null : runningMean.shape(), c, input);
        checkPerChannel("running_var", runningVar == null ? null : runningVar.shape(), c, input);
        checkPerChannel("weight", weight == null ? null : weight.shape(), c, input);
        checkPerChannel("bias", bias == null ? null : bias.shape(), c, input);
        if ((runningMean == null) != (runningVar == null)) throw new IllegalArgumentException("batchNorm: give both running_mean and running_var, or neither");
        if (!training && runningMean == null) throw new IllegalArgumentException("batchNorm: eval mode needs running_mean and running_var");

        int[] reduced = new int[input.rank() - 1];   // every dim but the channels
        reduced[0] = 0;
        for (int d = 2; d < input.rank(); d++) reduced[d - 1] = d;
        int[] perChannel = new int[input.rank()];    // [1, C, 1, ...]: broadcasts against the input
        Arrays.fill(perChannel, 1);
        perChannel[1] = c;

        Tensor mean, variance;
        if (training) {
            long n = input.numel() / Math.max(c, 1);
            if (n < 2) throw new IllegalArgumentException("batchNorm: expected more than 1 value per channel when training, got input shape " + Shapes.str(input.shape()));
            mean = input.mean(reduced, true);
            variance = input.var(reduced, 0, true);
            if (runningMean != null) {   // NDArray arithmetic: the estimates are state, never part of the graph
                update(runningMean, mean.data(), momentum);
                update(runningVar, variance.data().mul((double) n / (n - 1)), momentum);
            }
        } else {
            mean = Tensor.of(runningMean.reshape(perChannel));
            variance = Tensor.of(runningVar.reshape(perChannel));
        }
        Tensor y = input.sub(mean).div(variance.add(eps).sqrt());
        if (weight != null) y = y.mul(weight.reshape(perChannel));
        if (bias != null) y = y.add(bias.reshape(perChannel));
        return y;
    }

    /** {@code running = (1 - momentum)·running + momentum·batch}, in place so the buffer stays the same array. */
    private static void update(NDArray running, NDArray batch, double momentum) {
        running.assign(running.mul(1 - momentum).add(batch.reshape(running.shape()).mul(momentum)));
    }

    private static void checkPerChannel(String what, int[] shape, int channels, Tensor input) {
        if (shape != null && (shape.length != 1 || shape[0] != channels)) {
            throw new IllegalArgumentException("batchNorm: " + what + " has shape " + Shapes.str(shape) + ", expected [" + channels
                    + "] for input shape " + Shapes.str(input.shape()));
        }
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + (weight != null)
                + ", track_running_stats=" + (runningMean != null);
    }
}
