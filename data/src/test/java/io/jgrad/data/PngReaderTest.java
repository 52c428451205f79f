package io.jgrad.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PngReaderTest {

    @TempDir
    Path dir;

    static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void aDarkImageIsReadAsIsAndALightOneInverted() throws IOException {
        BufferedImage dark = new BufferedImage(56, 56, BufferedImage.TYPE_BYTE_GRAY);
        PngReader.Digit d = PngReader.readDigit(png(dark), "dark.png");
        assertArrayEquals(new int[] {1, 1, 28, 28}, d.image().shape());
        assertFalse(d.inverted());
        assertEquals(0f, d.image().toFloatArray()[0]);
        BufferedImage light = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) light.setRGB(x, y, 0xFFFFFF);
        PngReader.Digit l = PngReader.readDigit(Files.write(dir.resolve("light.png"), png(light)));
        assertTrue(l.inverted());
        assertEquals(0f, l.image().toFloatArray()[100], 1e-6f);
    }

    @Test
    void damagedFilesAreErrorsNamingTheFile() throws IOException {
        // The JDK decoder says "Error reading PNG image data" and names no file.
        byte[] good = png(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY));
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(good, good.length / 2));
        DataFileException e = assertThrows(DataFileException.class, () -> PngReader.readDigit(cut));
        assertTrue(e.getMessage().startsWith(cut + ": not a readable PNG image"), e.getMessage());
        Path jpeg = Files.write(dir.resolve("photo.png"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 0, 0, 0});
        assertEquals(jpeg + ": not a PNG image (PNG files start with the bytes 89 50 4E 47)",
                assertThrows(DataFileException.class, () -> PngReader.readDigit(jpeg)).getMessage());
    }

    @Test
    void aHugeDeclaredSizeIsRefusedBeforeDecoding() throws IOException {
        byte[] good = png(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY));
        // IHDR starts at byte 8: length (4), "IHDR" (4), width (4), height (4), ..., then its CRC over type and data.
        ByteBuffer b = ByteBuffer.wrap(good);
        b.putInt(16, 100_000).putInt(20, 100_000);
        CRC32 crc = new CRC32();
        crc.update(good, 12, 17);
        b.putInt(29, (int) crc.getValue());
        DataFileException e = assertThrows(DataFileException.class, () -> PngReader.readDigit(good, "huge.png"));
        assertEquals("huge.png: PNG image of 100000 x 100000 pixels; at most " + PngReader.MAX_PIXELS + " pixels are read", e.getMessage());
    }
}
