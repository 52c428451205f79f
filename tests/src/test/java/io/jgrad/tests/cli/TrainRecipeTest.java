package io.jgrad.tests.cli;

import io.jgrad.cli.Jgrad;
import io.jgrad.data.IdxWriter;
import io.jgrad.train.CheckpointInfo;
import io.jgrad.train.Checkpoints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The defaults {@code jgrad train} takes from the recipe for the ConvNet on MNIST (torchvision's normalisation, a
 * cosine schedule, 3 epochs) and that flags override them. Runs on a tiny MNIST-shaped data set written as IDX
 * files, so the full data set is not needed; that the recipe reaches 99% is measured in docs/BENCHMARKS.md.
 */
class TrainRecipeTest {

    @TempDir
    static Path mnist;

    @TempDir
    Path out;

    @BeforeAll
    static void tinyMnist() throws IOException {
        Random random = new Random(7);
        writeSplit("train", 40, random);
        writeSplit("t10k", 10, random);
    }

    private static void writeSplit(String prefix, int n, Random random) throws IOException {
        byte[] pixels = new byte[n * 28 * 28];
        random.nextBytes(pixels);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) labels[i] = (byte) (i % 10);
        IdxWriter.write(mnist.resolve(prefix + "-images-idx3-ubyte"), new int[] {n, 28, 28}, pixels, false);
        IdxWriter.write(mnist.resolve(prefix + "-labels-idx1-ubyte"), new int[] {n}, labels, false);
    }

    private String train(String model, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--model", model, "--dataset", "mnist", "--data-dir", mnist.toString(),
                "--batch-size", "16", "--no-progress", "--out", out.toString()));
        args.addAll(List.of(extra));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int status = Jgrad.run(args.toArray(String[]::new), ps, ps);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        return text;
    }

    /** The learning rate column of metrics.csv, one value per epoch. */
    private double[] learningRates() throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
        int column = List.of(lines.get(0).split(",")).indexOf("lr");
        return lines.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[column])).toArray();
    }

    private CheckpointInfo checkpoint() throws IOException {
        return Checkpoints.readInfo(out.resolve("model.safetensors"));
    }

    @Test
    void convNetOnMnistTrainsThreeCosineEpochsOnNormalisedPixels() throws IOException {
        String text = train("cnn");
        assertTrue(text.contains("recipe for cnn on mnist: 3 epochs, normalize 0.1307,0.3081, cosine schedule"), text);
        double[] lr = learningRates();
        assertEquals(3, lr.length, "epochs");
        // CosineAnnealingLR(T_max = 3) stepped per epoch: 1e-3, 1e-3 * (1 + cos(pi/3)) / 2, 1e-3 * (1 + cos(2 pi/3)) / 2
        assertEquals(1e-3, lr[0], 1e-9);
        assertEquals(0.75e-3, lr[1], 1e-9);
        assertEquals(0.25e-3, lr[2], 1e-9);
        assertEquals("0.1307,0.3081", checkpoint().options().get("normalize"), "eval and predict must normalise as training did");
    }

    @Test
    void flagsOverrideTheRecipe() throws IOException {
        String text = train("cnn", "--epochs", "2", "--schedule", "none", "--normalize", "none");
        assertTrue(text.contains("(flags override)"), text);
        double[] lr = learningRates();
        assertEquals(2, lr.length, "epochs");
        assertEquals(1e-3, lr[1], 1e-12, "--schedule none keeps the rate constant");
        assertNull(checkpoint().options().get("normalize"), "--normalize none trains on raw pixels / 255");
    }

    @Test
    void otherModelsKeepThePlainDefaultsButNormaliseMnist() throws IOException {
        String text = train("mlp", "--epochs", "1");
        assertTrue(text.contains("recipe for mlp on mnist: normalize 0.1307,0.3081 (flags override)"), text);
        assertFalse(text.contains("cosine"), text);
        assertEquals("0.1307,0.3081", checkpoint().options().get("normalize"));
    }
}
