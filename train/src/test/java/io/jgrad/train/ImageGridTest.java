package io.jgrad.train;

import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ImageGridTest {

    @TempDir
    Path dir;

    private static int grey(BufferedImage img, int x, int y) {
        return img.getRaster().getSample(x, y, 0);
    }

    @Test
    void tilesImagesRowByRowWithGapsAndScaling() throws Exception {
        // Three 2x3 images: all black, all white, and a gradient with an out-of-range value that is clamped.
        float[] px = new float[3 * 6];
        for (int i = 0; i < 6; i++) px[6 + i] = 1;
        float[] gradient = {0, 0.2f, 0.4f, 0.6f, 0.8f, 1.5f};
        System.arraycopy(gradient, 0, px, 12, 6);
        Path png = dir.resolve("grid.png");
        ImageGrid.write(png, NDArray.of(px, 3, 1, 2, 3), 2, 2);

        BufferedImage img = ImageIO.read(png.toFile());
        int gap = ImageGrid.GAP, tileW = 3 * 2 + gap, tileH = 2 * 2 + gap;
        assertEquals(2 * tileW + gap, img.getWidth());   // two columns
        assertEquals(2 * tileH + gap, img.getHeight());  // two rows, the second half empty
        assertEquals(ImageGrid.BACKGROUND, grey(img, 0, 0));
        assertEquals(0, grey(img, gap, gap));                           // image 0, top-left
        assertEquals(255, grey(img, gap + tileW + 5, gap + 3));         // image 1, bottom-right pixel
        int left = gap, top = gap + tileH;                               // image 2, second row
        assertEquals(0, grey(img, left, top));
        assertEquals(51, grey(img, left + 2, top));                     // value 0.2, pixel (1, 0) scaled by 2
        assertEquals(51, grey(img, left + 3, top + 1));
        assertEquals(204, grey(img, left + 2, top + 2));                // value 0.8, pixel (1, 1)
        assertEquals(255, grey(img, left + 5, top + 3));                // 1.5 clamped to white
        assertEquals(ImageGrid.BACKGROUND, grey(img, gap + tileW, top)); // the unused tile
    }

    @Test
    void acceptsImagesWithoutAChannelAndRejectsColour() {
        assertEquals(1 * 4 + 2 * ImageGrid.GAP, ImageGrid.render(NDArray.zeros(1, 4, 4), 8, 1).getWidth());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(NDArray.zeros(2, 3, 4, 4), 2, 1));
        assertEquals("ImageGrid: expected grey images [N, H, W] or [N, 1, H, W] with N >= 1, got shape [2, 3, 4, 4]", e.getMessage());
    }
}
