package io.jgrad.data.augment;

import io.jgrad.data.Transform;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/**
 * Moves an image {@code [C, H, W]} by a whole number of pixels, uniform in {@code [-maxShift, maxShift]}
 * along each axis, filling the uncovered border with 0 (translation only, as torchvision's
 * {@code RandomAffine(degrees=0, translate=...)} with nearest sampling).
 */
public final class RandomShift implements Transform {

    private final int maxShift;

    public RandomShift(int maxShift) {
        if (maxShift < 0) throw new IllegalArgumentException("RandomShift: maxShift must be >= 0, got " + maxShift);
        this.maxShift = maxShift;
    }

    @Override
    public NDArray apply(NDArray input, Generator gen) {
        Image img = Image.of("RandomShift", input);
        int dy = gen.nextInt(2 * maxShift + 1) - maxShift, dx = gen.nextInt(2 * maxShift + 1) - maxShift;
        // Output pixel (y, x) shows input pixel (y - dy, x - dx): a window starting at (-dy, -dx).
        return img.window(-dy, -dx, img.height, img.width).toArray();
    }
}
