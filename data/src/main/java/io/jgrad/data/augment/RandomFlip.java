package io.jgrad.data.augment;

import io.jgrad.data.Transform;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/**
 * Mirrors an image {@code [C, H, W]} with probability {@code p}: left-right
 * ({@code RandomHorizontalFlip}) or top-bottom ({@code RandomVerticalFlip}). Mind that a mirrored digit is
 * often not the same digit; flips suit Fashion-MNIST more than MNIST.
 */
public final class RandomFlip implements Transform {

    private final boolean horizontal;
    private final double p;

    private RandomFlip(boolean horizontal, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("RandomFlip: p must be in [0, 1], got " + p);
        this.horizontal = horizontal;
        this.p = p;
    }

    /** Left-right with probability {@code p}, as torchvision's {@code RandomHorizontalFlip(p)}. */
    public static RandomFlip horizontal(double p) {
        return new RandomFlip(true, p);
    }

    /** Top-bottom with probability {@code p}, as torchvision's {@code RandomVerticalFlip(p)}. */
    public static RandomFlip vertical(double p) {
        return new RandomFlip(false, p);
    }

    @Override
    public NDArray apply(NDArray input, Generator gen) {
        Image img = Image.of(horizontal ? "RandomHorizontalFlip" : "RandomVerticalFlip", input);
        return gen.nextDouble() < p ? img.flipped(horizontal).toArray() : input;
    }
}
