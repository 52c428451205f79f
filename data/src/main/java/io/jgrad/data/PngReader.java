package io.jgrad.data;

import io.jgrad.tensor.NDArray;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Reads a PNG as one MNIST-style digit: grayscale, scaled to 28x28, pixel values / 255, inverted when the
 * background is light (MNIST digits are light on dark). Every failure is a {@link DataFileException} naming
 * the file: the JDK's PNG decoder says only "Error reading PNG image data", and on hostile input it can throw
 * runtime exceptions of its own, which are reported the same way. The declared size is checked before the
 * pixels are decoded, so a header that claims a huge image costs no memory.
 */
public final class PngReader {

    /** The most pixels decoded (a 8192 x 8192 image): enough for any photo of a digit, bounded memory. */
    public static final long MAX_PIXELS = 8192L * 8192;

    /** A digit image {@code [1, 1, 28, 28]} and whether it was inverted. */
    public record Digit(NDArray image, boolean inverted) {
    }

    private PngReader() {
    }

    public static Digit readDigit(Path file) throws IOException {
        return readDigit(Files.readAllBytes(file), file.toString());
    }

    /** {@code source} names the bytes in messages. */
    public static Digit readDigit(byte[] bytes, String source) throws DataFileException {
        return toDigit(decode(bytes, source));
    }

    private static BufferedImage decode(byte[] bytes, String source) throws DataFileException {
        if (bytes.length < 8 || (bytes[0] & 0xFF) != 0x89 || bytes[1] != 'P' || bytes[2] != 'N' || bytes[3] != 'G') {
            throw new DataFileException(source, "not a PNG image (PNG files start with the bytes 89 50 4E 47)");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
            if (!readers.hasNext()) throw new DataFileException(source, "this JVM has no PNG decoder");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS || pixels <= 0) {
                    throw new DataFileException(source, "PNG image of " + reader.getWidth(0) + " x " + reader.getHeight(0) + " pixels; at most "
                            + MAX_PIXELS + " pixels are read");
                }
                BufferedImage image = reader.read(0);
                if (image == null) throw new DataFileException(source, "not a readable PNG image");
                return image;
            } finally {
                reader.dispose();
            }
        } catch (DataFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) { // the JDK decoder's own failures on a damaged file
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            if (e.getCause() != null && e.getCause().getMessage() != null) why += " (" + e.getCause().getMessage() + ")";
            throw new DataFileException(source, "not a readable PNG image: " + why, e);
        }
    }

    private static Digit toDigit(BufferedImage src) {
        BufferedImage gray = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = gray.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, 28, 28, null);
        g.dispose();
        float[] px = new float[28 * 28];
        double mean = 0;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                px[y * 28 + x] = gray.getRaster().getSample(x, y, 0) / 255f;
                mean += px[y * 28 + x];
            }
        }
        boolean inverted = mean / px.length > 0.5; // a light background: MNIST digits are light on dark
        if (inverted) for (int i = 0; i < px.length; i++) px[i] = 1 - px[i];
        return new Digit(HostArrays.floats(px, new int[] {1, 1, 28, 28}), inverted);
    }
}
