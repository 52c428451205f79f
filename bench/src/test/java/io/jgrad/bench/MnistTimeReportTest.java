package io.jgrad.bench;

import io.jgrad.cli.Jgrad;
import io.jgrad.data.IdxWriter;
import io.jgrad.tensor.Backends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 'jgrad bench mnist': its options, a missing data set, and a run to the target on a small learnable set in MNIST's files. */
class MnistTimeReportTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void backToTheCpu() {
        Backends.use(null);
    }

    private int run(String... args) {
        return Jgrad.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertEquals(2, run("bench", "mnist", "--batch", "0"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("mnist: --batch expects a positive integer, got '0'"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("bench", "mnist", "--target", "101"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--target expects a percentage in (0, 100], got '101'"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("bench", "mnist", "--epochs", "3"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option '--epochs'"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("bench", "mnist", "--max-epochs"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("option '--max-epochs' needs a value"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void missingDataNamesTheDirectory(@TempDir Path dir) {
        assertEquals(1, run("bench", "mnist", "--data-dir", dir.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(dir.toString()), err.toString(StandardCharsets.UTF_8));
    }

    /** Ten classes, each a bright 6x6 square at its own place on a noisy 28x28 image: learnt to 95% within a few epochs. */
    @Test
    void trainsToTheTargetAndReportsTheTime(@TempDir Path dir) throws IOException {
        write(dir, "train", 300, 1);
        write(dir, "t10k", 100, 2);
        assertEquals(0, run("bench", "mnist", "--data-dir", dir.toString(), "--batch", "25", "--target", "95", "--max-epochs", "6"), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("(300 training, 100 test images)"), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("jgrad +\\| +1 \\| +[0-9.]+ \\| +[0-9.]+%")), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("mnist time to 95\\.0%: jgrad [0-9.]+ s, pytorch .*")), text);
    }

    /** --record where the backend cannot record (the CPU): every step runs eagerly, and the rows say jgrad. */
    @Test
    void recordFallsBackToEagerStepsWhereTheBackendCannotRecord(@TempDir Path dir) throws IOException {
        write(dir, "train", 100, 3);
        write(dir, "t10k", 50, 4);
        assertEquals(0, run("bench", "mnist", "--data-dir", dir.toString(), "--batch", "32", "--max-epochs", "1", "--record"), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.lines().anyMatch(l -> l.matches("jgrad +\\| +1 \\| +[0-9.]+ \\| +[0-9.]+%")), text);
        assertTrue(text.lines().noneMatch(l -> l.startsWith("recorded")), text);
    }

    private static void write(Path dir, String split, int n, long seed) throws IOException {
        Random rnd = new Random(seed);
        byte[] images = new byte[n * 28 * 28], labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = i % 10, top = 2 + 12 * (label / 5), left = 2 + 5 * (label % 5);
            labels[i] = (byte) label;
            for (int p = 0; p < 28 * 28; p++) images[i * 784 + p] = (byte) rnd.nextInt(40);
            for (int r = top; r < top + 6; r++) for (int c = left; c < left + 6; c++) images[i * 784 + r * 28 + c] = (byte) 230;
        }
        IdxWriter.write(dir.resolve(split + "-images-idx3-ubyte.gz"), new int[] {n, 28, 28}, images, true);
        IdxWriter.write(dir.resolve(split + "-labels-idx1-ubyte"), new int[] {n}, labels, false);
    }
}
