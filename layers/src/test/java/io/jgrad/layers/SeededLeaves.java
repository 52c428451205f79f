package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Seeded float64 leaves and float64 modules for gradient checks (finite differences need float64). */
final class SeededLeaves {

    private final Generator gen;

    SeededLeaves(long seed) {
        this.gen = new Generator(seed);
    }

    /** Standard normal float64 values that require a gradient. */
    Tensor normal(int... shape) {
        return Tensor.of(NDArray.randn(gen, DType.FLOAT64, shape)).requiresGrad(true);
    }

    /** A module built with float64 parameters, seeded so that its weights are the same on every run. */
    static <M extends Module> M float64(long seed, Supplier<M> build) {
        DType previous = Init.setDefaultDType(DType.FLOAT64);
        try {
            Init.manualSeed(seed);
            return build.get();
        } finally {
            Init.setDefaultDType(previous);
        }
    }

    /** {@code leading} followed by every parameter of {@code module}: the inputs a gradient check perturbs. */
    static Tensor[] withParameters(Module module, Tensor... leading) {
        List<Tensor> all = new ArrayList<>(List.of(leading));
        all.addAll(module.parameters());
        return all.toArray(Tensor[]::new);
    }

    /** Every tensor flattened and joined, so one gradient check covers several outputs. */
    static Tensor joined(Tensor... parts) {
        Tensor[] flat = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) flat[i] = parts[i].flatten();
        return Tensor.cat(0, flat);
    }
}
