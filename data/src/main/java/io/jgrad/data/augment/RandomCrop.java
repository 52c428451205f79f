package io.jgrad.data.augment;

import io.jgrad.data.Transform;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/**
 * Pads an image {@code [C, H, W]} with {@code padding} zeros on every side, then cuts a
 * {@code height x width} window at a uniformly random position, as torchvision's
 * {@code RandomCrop(size, padding)}.
 */
public final class RandomCrop implements Transform {

    private final int height, width, padding;

    public RandomCrop(int height, int width, int padding) {
        if (height < 1 || width < 1 || padding < 0) {
            throw new IllegalArgumentException("RandomCrop: need size >= 1 and padding >= 0, got " + height + "x" + width + ", padding " + padding);
        }
        this.height = height;
        this.width = width;
        this.padding = padding;
    }

    /** A square {@code size x size} crop. */
    public RandomCrop(int size, int padding) {
        this(size, size, padding);
    }

    @Override
    public NDArray apply(NDArray input, Generator gen) {
        Image img = Image.of("RandomCrop", input);
        int slackY = img.height + 2 * padding - height, slackX = img.width + 2 * padding - width;
        if (slackY < 0 || slackX < 0) {
            throw new IllegalArgumentException("RandomCrop: a " + height + "x" + width + " crop does not fit a " + img.height + "x" + img.width
                    + " image padded by " + padding);
        }
        int top = gen.nextInt(slackY + 1) - padding, left = gen.nextInt(slackX + 1) - padding;
        return img.window(top, left, height, width).toArray();
    }
}
