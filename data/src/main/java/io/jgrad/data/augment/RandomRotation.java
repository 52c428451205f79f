package io.jgrad.data.augment;

import io.jgrad.data.Transform;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

/**
 * Rotates an image {@code [C, H, W]} about its centre by an angle uniform in {@code [-degrees, degrees]},
 * positive counter-clockwise as seen on screen, filling what comes from outside with 0, as torchvision's
 * {@code RandomRotation(degrees, interpolation, fill=0)}.
 *
 * <p>Each output pixel samples the input at the point the rotation brings to it (the inverse map), so
 * there are no holes: with {@code dx = x - cx}, {@code dy = y - cy} (y pointing down),
 * {@code sx = cx + dx cos(a) - dy sin(a)} and {@code sy = cy + dx sin(a) + dy cos(a)}.
 */
public final class RandomRotation implements Transform {

    /** How an output pixel reads the input between pixel centres. */
    public enum Interpolation { NEAREST, BILINEAR }

    private final double degrees;
    private final Interpolation interpolation;

    public RandomRotation(double degrees, Interpolation interpolation) {
        if (!(degrees >= 0 && degrees <= 180)) throw new IllegalArgumentException("RandomRotation: degrees must be in [0, 180], got " + degrees);
        this.degrees = degrees;
        this.interpolation = interpolation;
    }

    public RandomRotation(double degrees) {
        this(degrees, Interpolation.BILINEAR);
    }

    @Override
    public NDArray apply(NDArray input, Generator gen) {
        double angle = (2 * gen.nextDouble() - 1) * degrees;
        return rotate(Image.of("RandomRotation", input), angle, interpolation).toArray();
    }

    /** {@code img} rotated by {@code angle} degrees counter-clockwise. */
    static Image rotate(Image img, double angle, Interpolation interpolation) {
        double a = Math.toRadians(angle), cos = Math.cos(a), sin = Math.sin(a);
        double cx = (img.width - 1) / 2.0, cy = (img.height - 1) / 2.0;
        Image out = Image.zeros(img.channels, img.height, img.width);
        for (int y = 0; y < img.height; y++) {
            for (int x = 0; x < img.width; x++) {
                double dx = x - cx, dy = y - cy;
                double sx = cx + dx * cos - dy * sin, sy = cy + dx * sin + dy * cos;
                for (int c = 0; c < img.channels; c++) out.set(c, y, x, sample(img, c, sy, sx, interpolation));
            }
        }
        return out;
    }

    private static float sample(Image img, int c, double sy, double sx, Interpolation interpolation) {
        if (interpolation == Interpolation.NEAREST) return img.at(c, (int) Math.round(sy), (int) Math.round(sx));
        int x0 = (int) Math.floor(sx), y0 = (int) Math.floor(sy);
        double fx = sx - x0, fy = sy - y0;
        return (float) ((1 - fy) * ((1 - fx) * img.at(c, y0, x0) + fx * img.at(c, y0, x0 + 1))
                + fy * ((1 - fx) * img.at(c, y0 + 1, x0) + fx * img.at(c, y0 + 1, x0 + 1)));
    }
}
