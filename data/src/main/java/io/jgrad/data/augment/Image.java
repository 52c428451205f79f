package io.jgrad.data.augment;

import io.jgrad.data.HostArrays;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

/** A {@code [C, H, W]} image as a float array, for the geometric transforms; reads outside it give 0. */
final class Image {

    final float[] data;
    final int channels, height, width;

    private Image(float[] data, int channels, int height, int width) {
        this.data = data;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /** A copy of {@code x}, which must be {@code [C, H, W]}; {@code op} names the transform in the error. */
    static Image of(String op, NDArray x) {
        if (x.rank() != 3) throw new IllegalArgumentException(op + ": expected an image [C, H, W], got shape " + Shapes.str(x.shape()));
        return new Image(x.toFloatArray(), x.shape(0), x.shape(1), x.shape(2));
    }

    static Image zeros(int channels, int height, int width) {
        return new Image(new float[channels * height * width], channels, height, width);
    }

    float at(int c, int y, int x) {
        return y < 0 || y >= height || x < 0 || x >= width ? 0f : data[(c * height + y) * width + x];
    }

    void set(int c, int y, int x, float v) {
        data[(c * height + y) * width + x] = v;
    }

    /** The {@code h x w} window whose top-left corner is at ({@code top}, {@code left}); outside the image, 0. */
    Image window(int top, int left, int h, int w) {
        Image out = zeros(channels, h, w);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) out.set(c, y, x, at(c, top + y, left + x));
            }
        }
        return out;
    }

    /** Mirrored left-right ({@code horizontal}) or top-bottom. */
    Image flipped(boolean horizontal) {
        Image out = zeros(channels, height, width);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out.set(c, y, x, horizontal ? at(c, y, width - 1 - x) : at(c, height - 1 - y, x));
                }
            }
        }
        return out;
    }

    NDArray toArray() {
        return HostArrays.floats(data, channels, height, width);
    }
}
