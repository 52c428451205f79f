package io.jgrad.autograd;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/**
 * Seeded float64 leaves for gradient checks, each owning a contiguous storage and requiring a gradient.
 * The value ranges keep inputs away from the points where an op is not differentiable (0 for abs and
 * relu, ties for max, non-positive bases for log, sqrt and fractional powers).
 */
final class Float64Leaves {

    private final Generator gen;

    Float64Leaves(long seed) {
        this.gen = new Generator(seed);
    }

    /** Standard normal values. */
    Tensor normal(int... shape) {
        return Tensor.of(NDArray.randn(gen, DType.FLOAT64, shape)).requiresGrad(true);
    }

    /** Uniform on {@code [low, high)}. */
    Tensor uniform(double low, double high, int... shape) {
        return Tensor.of(NDArray.uniform(gen, DType.FLOAT64, low, high, shape)).requiresGrad(true);
    }

    /** Uniform on [0.5, 2): safe for log, sqrt, division and fractional powers. */
    Tensor positive(int... shape) {
        return uniform(0.5, 2.0, shape);
    }

    /** Magnitudes in [0.2, 2) with random signs: safe for abs, relu, leakyRelu and division. */
    Tensor awayFromZero(int... shape) {
        NDArray a = NDArray.uniform(gen, DType.FLOAT64, 0.2, 2.0, shape);
        NDArray flat = a.view(-1);
        for (int i = 0; i < flat.numel(); i++) {
            if (gen.nextDouble() < 0.5) flat.set(-flat.get(i), i);
        }
        return Tensor.of(a).requiresGrad(true);
    }

    /**
     * A random permutation of evenly spaced values {@code 0.1·(k - n/2)}: no two are within 0.1 of each
     * other, so max, amax and max-pooling have a unique winner that a perturbation of 1e-6 cannot change.
     */
    Tensor distinct(int... shape) {
        NDArray a = NDArray.zeros(DType.FLOAT64, shape);
        NDArray flat = a.view(-1);
        int n = flat.numel();
        int[] perm = gen.permutation(n);
        for (int i = 0; i < n; i++) flat.set(0.1 * (perm[i] - n / 2.0), i);
        return Tensor.of(a).requiresGrad(true);
    }

    /** A float64 leaf over {@code values} that requires a gradient. */
    static Tensor leaf(double[] values, int... shape) {
        return Tensor.of(values, shape).requiresGrad(true);
    }

    /** A float64 leaf over {@code values} that does not require a gradient. */
    static Tensor constant(double[] values, int... shape) {
        return Tensor.of(values, shape);
    }

    static Tensor[] of(Tensor... inputs) {
        return inputs;
    }
}
