package io.jgrad.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportingTest {

    @TempDir
    Path dir;

    @Test
    void plainProgressPrintsTheFirstBatchThenOneLinePerTenth() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "epoch 1/3", 100);
        for (int b = 1; b <= 100; b++) bar.update(b, b * 32L, 0.5, 0.9);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(11, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("epoch 1/3 1/100  "), lines.get(0));
        assertTrue(lines.get(10).startsWith("epoch 1/3 100/100  loss 0.5000  acc 90.00%"), lines.get(10));
        assertTrue(lines.get(10).contains("img/s") && lines.get(10).contains("eta 0:00"), lines.get(10));
    }

    @Test
    void progressIsDueExactlyWhenAnUpdateWouldPrint() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "epoch 1/3", 100);
        List<Integer> due = new java.util.ArrayList<>();
        for (int b = 1; b <= 100; b++) {
            if (!bar.due(b)) continue;
            due.add(b);
            bar.update(b, b * 32L, 0.5, 0.9);
        }
        assertEquals(List.of(1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100), due);
        assertEquals(11, bytes.toString(StandardCharsets.UTF_8).lines().count());
        ProgressBar terminal = new ProgressBar(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), true, "train", 1000);
        assertTrue(terminal.due(1));
        terminal.update(1, 1, 1, 0.25);
        assertFalse(terminal.due(2), "a terminal line is redrawn at most ten times a second");
        assertTrue(terminal.due(1000), "the last batch is always drawn");
    }

    @Test
    void terminalProgressRedrawsOneLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "train", 4);
        for (int b = 1; b <= 4; b++) bar.update(b, b, 1, 0.25);
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(4, s.chars().filter(c -> c == '\r').count());
        assertTrue(s.contains("[========================]"), s);
        assertTrue(s.endsWith("\n"));
    }

    @Test
    void etaFormatting() {
        assertEquals("1:05", ProgressBar.formatSeconds(65));
        assertEquals("1:01:01", ProgressBar.formatSeconds(3661));
        assertEquals("--:--", ProgressBar.formatSeconds(Double.NaN));
    }

    @Test
    void csvHasAHeaderAndARowPerEpoch() throws Exception {
        Path csv = dir.resolve("metrics.csv");
        MetricsCsv log = new MetricsCsv(csv);
        log.append(new EpochMetrics(1, 0.9, 0.7, 0.8, 0.75, 1e-3, 12.5));
        log.append(new EpochMetrics(2, 0.5, 0.85, Double.NaN, Double.NaN, 1e-3, 11.0));
        List<String> lines = Files.readAllLines(csv);
        assertEquals(EpochMetrics.CSV_HEADER, lines.get(0));
        assertEquals("1,0.9,0.7,0.8,0.75,0.001,12.5", lines.get(1));
        assertEquals("2,0.5,0.85,,,0.001,11.0", lines.get(2));
    }

    @Test
    void chartIsAReadablePngWithTheSeriesDrawn() throws Exception {
        Path png = dir.resolve("loss.png");
        new LineChart("loss", "loss").add("train", new double[] {1.0, 0.6, 0.4, 0.3}).add("validation", new double[] {1.1, 0.7, Double.NaN, 0.5}).write(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        int coloured = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                int r = rgb >> 16, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
                if (Math.abs(r - g) > 60 || Math.abs(g - b) > 60) coloured++;
            }
        }
        assertTrue(coloured > 500, "the lines should be drawn in colour, found " + coloured + " coloured pixels");
        assertNotEquals(0, Files.size(png));
    }
}
