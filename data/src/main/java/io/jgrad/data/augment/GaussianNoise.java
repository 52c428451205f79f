package io.jgrad.data.augment;

import io.jgrad.data.HostArrays;
import io.jgrad.data.Transform;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/** Adds independent normal noise with mean 0 and standard deviation {@code std} to every element (any shape). */
public final class GaussianNoise implements Transform {

    private final double std;

    public GaussianNoise(double std) {
        if (!(std >= 0)) throw new IllegalArgumentException("GaussianNoise: std must be >= 0, got " + std);
        this.std = std;
    }

    @Override
    public NDArray apply(NDArray input, Generator gen) {
        float[] x = input.toFloatArray();
        for (int i = 0; i < x.length; i++) x[i] += (float) (std * gen.nextGaussian());
        return HostArrays.floats(x, input.shape());
    }
}
