package io.jgrad.layers;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/**
 * Weight initialisers (Glorot and Bengio 2010; He et al. 2015) and the random source layers draw from.
 *
 * <p>Layers take their numbers from {@link #generator()}, a process-wide seeded {@link Generator}, so that
 * {@code Init.manualSeed(42)} before building a model makes its initial weights the same on every run (as
 * {@code torch.manual_seed}). Parameters are made in {@link #defaultDtype()}, float32 unless a test sets float64
 * for gradient checking (as {@code torch.set_default_dtype}).
 */
public final class Init {

    private static Generator generator = new Generator(0);
    private static DType defaultDtype = DType.FLOAT32;

    private Init() {
    }

    /** Reseeds the generator layers initialise from. */
    public static synchronized void manualSeed(long seed) {
        generator = new Generator(seed);
    }

    public static synchronized Generator generator() {
        return generator;
    }

    /** The dtype new parameters and buffers are made in. */
    public static synchronized DType defaultDtype() {
        return defaultDtype;
    }

    /**
     * Sets the dtype of parameters made from now on; returns the previous one so a caller can restore it.
     * Float64 modules are what {@code GradCheck} needs: finite differences drown in float32 rounding.
     */
    public static synchronized DType setDefaultDtype(DType dtype) {
        if (!dtype.isFloatingPoint()) throw new IllegalArgumentException("setDefaultDtype: parameters must be floating point, got " + dtype);
        DType previous = defaultDtype;
        defaultDtype = dtype;
        return previous;
    }

    /** Zeros in {@link #defaultDtype()}. */
    public static NDArray zeros(int... shape) {
        return NDArray.zeros(defaultDtype(), shape);
    }

    /** Ones in {@link #defaultDtype()}. */
    public static NDArray ones(int... shape) {
        return NDArray.ones(defaultDtype(), shape);
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
        return NDArray.uniform(generator(), defaultDtype(), -bound, bound, shape);
    }

    /** N(0, std²). */
    public static NDArray normal(double std, int... shape) {
        return NDArray.randn(generator(), defaultDtype(), shape).mul(std);
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

    /** He/Kaiming normal over fan-in: std = √(2 / ((1 + a²)·fanIn)). */
    public static NDArray kaimingNormal(double a, int... shape) {
        int fanIn = fans(shape)[0];
        return normal(Math.sqrt(2.0 / ((1 + a * a) * fanIn)), shape);
    }
}
