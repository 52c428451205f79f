package io.jgrad.data.augment;

import io.jgrad.data.Transform;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

import java.util.List;

/** Transforms applied in order, each to the result of the one before, sharing one generator. */
public final class Compose implements Transform {

    private final List<Transform> transforms;

    public Compose(Transform... transforms) {
        this.transforms = List.of(transforms);
    }

    @Override
    public NDArray apply(NDArray input, Generator gen) {
        NDArray x = input;
        for (Transform t : transforms) x = t.apply(x, gen);
        return x;
    }
}
