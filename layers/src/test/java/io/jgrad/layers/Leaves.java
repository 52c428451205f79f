package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/** Seeded float64 tensors for gradient checks, kept away from the points where an op has a kink. */
final class Leaves {

    private final Generator gen;

    Leaves(long seed) {
        this.gen = new Generator(seed);
    }

    /** Standard normal values, requiring a gradient. */
    Tensor normal(int... shape) {
        return Tensor.of(NDArray.randn(gen, DType.FLOAT64, shape)).requiresGrad(true);
    }

    /** Uniform on [low, high), requiring a gradient. */
    Tensor uniform(double low, double high, int... shape) {
        return Tensor.of(NDArray.uniform(gen, DType.FLOAT64, low, high, shape)).requiresGrad(true);
    }

    /** Magnitudes in [0.2, 2) with random signs: no element near the kink of relu, abs or leaky relu. */
    Tensor awayFromZero(int... shape) {
        NDArray signs = NDArray.rand(gen, DType.FLOAT64, shape).gt(0.5).mul(2).sub(1);
        return Tensor.of(NDArray.uniform(gen, DType.FLOAT64, 0.2, 2, shape).mul(signs)).requiresGrad(true);
    }

    /** A permutation of {@code 0.1·(k - n/2)}: every value is unique, so max pooling has one winner per window. */
    Tensor distinct(int... shape) {
        int[] perm = gen.permutation(io.jgrad.tensor.Shapes.numel(shape));
        double[] v = new double[perm.length];
        for (int i = 0; i < v.length; i++) v[i] = 0.1 * (perm[i] - v.length / 2.0);
        return Tensor.of(v, shape).requiresGrad(true);
    }

    /** Random int64 class indices in [0, classes). */
    Tensor classes(int classes, int... shape) {
        long[] v = new long[io.jgrad.tensor.Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = gen.nextInt(classes);
        return Tensor.of(NDArray.of(v, shape));
    }

    /** A float64 constant (no gradient) of uniform values on [low, high). */
    Tensor constant(double low, double high, int... shape) {
        return Tensor.of(NDArray.uniform(gen, DType.FLOAT64, low, high, shape));
    }
}
