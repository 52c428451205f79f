package io.jgrad.train;

import io.jgrad.tensor.io.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes plots and image grids as PNG files, whole or not at all ({@link AtomicFiles}). */
final class PngFiles {

    private PngFiles() {
    }

    static void write(Path target, BufferedImage image) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        AtomicFiles.writeStream(target, out -> {
            if (!ImageIO.write(image, "png", out)) throw new IOException("no PNG writer available");
        });
    }
}
