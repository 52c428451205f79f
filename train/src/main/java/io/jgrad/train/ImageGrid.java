package io.jgrad.train;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Grey images tiled into one PNG, row by row, {@code columns} to a row: how the examples show what a model
 * generates or reconstructs. Images are {@code [N, H, W]} or {@code [N, 1, H, W]} with values in [0, 1]
 * (clamped; 0 black, 1 white); each pixel becomes a {@code scale x scale} square, and tiles are separated by
 * {@link #GAP} pixels of mid-grey.
 */
public final class ImageGrid {

    /** Pixels of {@link #BACKGROUND} around and between tiles. */
    public static final int GAP = 2;
    /** The grey level of the gaps and of unused tiles. */
    public static final int BACKGROUND = 128;

    private ImageGrid() {
    }

    public static BufferedImage render(NDArray images, int columns, int scale) {
        boolean channel = images.rank() == 4 && images.shape(1) == 1;
        if (!(images.rank() == 3 || channel) || images.shape(0) == 0) {
            throw new IllegalArgumentException("ImageGrid: expected grey images [N, H, W] or [N, 1, H, W] with N >= 1, got shape " + Shapes.str(images.shape()));
        }
        if (columns < 1 || scale < 1) throw new IllegalArgumentException("ImageGrid: columns and scale must be >= 1, got " + columns + " and " + scale);
        int n = images.shape(0), h = images.shape(-2), w = images.shape(-1);
        int rows = (n + columns - 1) / columns, cols = Math.min(columns, n);
        int tileW = w * scale + GAP, tileH = h * scale + GAP;
        BufferedImage img = new BufferedImage(cols * tileW + GAP, rows * tileH + GAP, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = img.getRaster();
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) raster.setSample(x, y, 0, BACKGROUND);
        float[] px = images.contiguous().toFloatArray();
        for (int i = 0; i < n; i++) {
            int left = GAP + (i % columns) * tileW, top = GAP + (i / columns) * tileH;
            for (int y = 0; y < h * scale; y++) {
                for (int x = 0; x < w * scale; x++) {
                    float v = px[i * h * w + (y / scale) * w + x / scale];
                    raster.setSample(left + x, top + y, 0, Math.round(255 * Math.max(0, Math.min(1, v))));
                }
            }
        }
        return img;
    }

    /** Renders and writes the PNG atomically. */
    public static void write(Path png, NDArray images, int columns, int scale) throws IOException {
        PngFiles.write(png, render(images, columns, scale));
    }
}
