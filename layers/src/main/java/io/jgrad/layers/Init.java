package io.jgrad.layers;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/**
 * Weight initialisers (Glorot and Bengio 2010; He et al. 2015) and the random source layers draw from.
 *
 * <p>Layers take their numbers from {@link #generator()}, a process-wide seeded {@link Generator}, so that
 * {@code Init.manualSeed(42)} before building a model makes its initial weights the same on every run (as
 * {@code torch.manual_seed}). They are made in {@link #defaultDType()}, float32 unless changed (as
 * {@code torch.set_default_dtype}); gradient checks build their layers in float64.
 */
public final class Init {

    private static Generator generator = new Generator(0);
    private static DType defaultDType = DType.FLOAT32;

    private Init() {
    }

    /** Reseeds the generator layers initialise from. */
    public static synchronized void manualSeed(long seed) {
        generator = new Generator(seed);
    }

    public static synchronized Generator generator() {
        return generator;
    }

    /** Sets the dtype new parameters and buffers are made in; returns the previous one (to restore it). */
    public static synchronized DType setDefaultDType(DType dtype) {
        if (!dtype.isFloatingPoint()) throw new IllegalArgumentException("setDefaultDType: parameters must be floating point, got " + dtype);
        DType previous = defaultDType;
        defaultDType = dtype;
        return previous;
    }

    public static synchronized DType defaultDType() {
        return defaultDType;
    }

    /** Zeros in the default dtype. */
    public static NDArray zeros(int... shape) {
        return constant(0, shape);
    }

    /** Ones in the default dtype. */
    public static NDArray ones(int... shape) {
        return constant(1, shape);
    }

    /** {@code value} everywhere, in the default dtype: batch norm's and layer norm's initial scales and shifts. */
    public static NDArray constant(double value, int... shape) {
        return NDArray.full(defaultDType(), value, shape);
    }

    /** Fan-in and fan-out of a weight of shape {@code [out, in, k...]}: {@code in·k...} and {@code out·k...}. */
    public static int[] fans(int... shape) {
        if (shape.length < 2) throw new IllegalArgumentException("fans: need a weight of rank >= 2, got " + shape.length);
        int receptive = 1;
        for (int d = 2; d < shape.length; d++) receptive *= shape[d];
        return new int[] {shape[1] * receptive, shape[0] * receptive};
    }

    /** U(-bound, bound). */
    public static NDArray uniform(double bound, int... shape) {
        return NDArray.uniform(generator(), defaultDType(), -bound, bound, shape);
    }

    /** N(0, std²). */
    public static NDArray normal(double std, int... shape) {
        return NDArray.randn(generator(), defaultDType(), shape).mul(std);
    }

    /** Xavier/Glorot uniform: bound = gain·√(6 / (fanIn + fanOut)). */
    public static NDArray xavierUniform(double gain, int... shape) {
        int[] f = fans(shape);
        return uniform(gain * Math.sqrt(6.0 / (f[0] + f[1])), shape);
    }

    /** Xavier/Glorot normal: std = gain·√(2 / (fanIn + fanOut)). */
    public static NDArray xavierNormal(double gain, int... shape) {
        int[] f = fans(shape);
        return normal(gain * Math.sqrt(2.0 / (f[0] + f[1])), shape);
    }

    /**
     * He/Kaiming uniform over fan-in with leaky-ReLU slope {@code a}: bound = √(6 / ((1 + a²)·fanIn)). PyTorch's
     * default for Linear and Conv weights is {@code a = √5}, which gives bound = 1/√fanIn.
     */
    public static NDArray kaimingUniform(double a, int... shape) {
        int fanIn = fans(shape)[0];
        return uniform(Math.sqrt(6.0 / ((1 + a * a) * fanIn)), shape);
    }

    /**
     * PyTorch's default for Linear and Conv weights: Kaiming-uniform with a = √5, a bound of 1/√fanIn. (PyTorch
     * chose a = √5 to keep the older {@code U(±1/√fanIn)} rule under the Kaiming name.)
     */
    public static NDArray defaultWeight(int... shape) {
        return kaimingUniform(Math.sqrt(5), shape);
    }

    /** PyTorch's default for Linear and Conv biases: U(±1/√fanIn) with the fan-in of {@code weightShape}. */
    public static NDArray defaultBias(int[] weightShape) {
        return uniform(1 / Math.sqrt(fans(weightShape)[0]), weightShape[0]);
    }

    /** He/Kaiming normal over fan-in: std = √(2 / ((1 + a²)·fanIn)). */
    public static NDArray kaimingNormal(double a, int... shape) {
        int fanIn = fans(shape)[0];
        return normal(Math.sqrt(2.0 / ((1 + a * a) * fanIn)), shape);
    }
}
