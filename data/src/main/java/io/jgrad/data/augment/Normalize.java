package io.jgrad.data.augment;

import io.jgrad.data.HostArrays;
import io.jgrad.data.Transform;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

/**
 * {@code (x - mean[c]) / std[c]} for channel {@code c} (dim 0 of each example), as torchvision's
 * {@code Normalize}; one mean and std apply to every channel. Deterministic. For MNIST the usual values
 * are {@code new Normalize(0.1307, 0.3081)}.
 */
public final class Normalize implements Transform {

    private final double[] mean, std;

    public Normalize(double[] mean, double[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Normalize: need one std per mean, got " + mean.length + " means and " + std.length + " stds");
        }
        for (double s : std) if (!(s > 0)) throw new IllegalArgumentException("Normalize: std must be > 0, got " + s);
        this.mean = mean.clone();
        this.std = std.clone();
    }

    public Normalize(double mean, double std) {
        this(new double[] {mean}, new double[] {std});
    }

    @Override
    public NDArray apply(NDArray input, Generator gen) {
        int channels = input.rank() == 0 ? 0 : input.shape(0);
        if (channels == 0 || (mean.length != 1 && mean.length != channels)) {
            throw new IllegalArgumentException("Normalize: " + mean.length + " channel statistics for an input of shape " + Shapes.str(input.shape()));
        }
        float[] x = input.toFloatArray();
        int perChannel = x.length / channels;
        for (int i = 0; i < x.length; i++) {
            int c = mean.length == 1 ? 0 : i / perChannel;
            x[i] = (float) ((x[i] - mean[c]) / std[c]);
        }
        return HostArrays.floats(x, input.shape());
    }
}
