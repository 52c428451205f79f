package io.jgrad.tests.examples;

import io.jgrad.examples.CharLstm;
import io.jgrad.examples.DigitsAutoencoder;
import io.jgrad.examples.DigitsGan;
import io.jgrad.examples.MnistConvNet;
import io.jgrad.train.Checkpoints;
import io.jgrad.train.EpochMetrics;
import io.jgrad.train.ImageGrid;
import io.jgrad.train.models.MnistCnn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every example of docs/examples.md with tiny settings (a few seconds each) and checks that it learns:
 * each must beat where it started, by a margin no untrained or broken model reaches.
 */
class ExamplesTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void convNetLearnsFromSixtyFourDigits() throws Exception {
        MnistConvNet.Outcome o = MnistConvNet.run("digits", 2, 64, 16, dir, out);
        List<EpochMetrics> epochs = o.training().epochs();
        assertEquals(2, epochs.size(), output());
        assertTrue(epochs.get(1).trainLoss() < epochs.get(0).trainLoss(), output());
        assertTrue(o.test().accuracy() > 0.2, "chance is 10%: " + output()); // 34% with these settings
        assertTrue(output().strip().endsWith(String.format(java.util.Locale.ROOT, "test accuracy: %.2f%%", 100 * o.test().accuracy())), output());
        for (String f : List.of("metrics.csv", "loss.png", "accuracy.png")) assertTrue(Files.exists(dir.resolve(f)), f);
        assertEquals("cnn", Checkpoints.load(dir.resolve("best.safetensors"), new MnistCnn()).architecture());
    }

    @Test
    void autoencoderReconstructionLossFalls() throws Exception {
        Path png = dir.resolve("autoencoder.png");
        double[] testLoss = DigitsAutoencoder.run(2, 1000, png, out);
        assertEquals(3, testLoss.length);
        // Untrained, the output is about 0.5 everywhere: BCE near ln 2 = 0.693. Two epochs on 1000 digits: 0.27.
        assertTrue(testLoss[0] > 0.6 && testLoss[2] < 0.4 && testLoss[2] < testLoss[1], output());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(8 * (56 + ImageGrid.GAP) + ImageGrid.GAP, img.getWidth());   // 8 columns of 28x28 at scale 2
        assertEquals(4 * (56 + ImageGrid.GAP) + ImageGrid.GAP, img.getHeight());  // originals and reconstructions, twice
    }

    @Test
    void ganSamplesMoveTowardsTheDigits() throws Exception {
        Path png = dir.resolve("gan.png");
        DigitsGan.Outcome o = DigitsGan.run(3, 1000, png, out);
        // Untrained, the generator paints grey (about 0.5) everywhere; the mean digit is a dark background with
        // a bright middle. Three epochs on 1000 digits halve the distance (0.41 to 0.21).
        assertTrue(o.distanceAfter() < 0.65 * o.distanceBefore(), output());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(8 * (56 + ImageGrid.GAP) + ImageGrid.GAP, img.getWidth());
        assertEquals(img.getWidth(), img.getHeight()); // 8x8 samples
    }

    @Test
    void charLstmLearnsItsTextFarBelowTheUniformLoss() {
        CharLstm.Outcome o = CharLstm.run(60, 0, out);
        assertEquals(Math.log(28), o.uniformLoss(), 1e-12); // 28 distinct characters in the text
        assertTrue(o.firstLoss() > 0.9 * o.uniformLoss(), output());
        assertTrue(o.finalLoss() < 0.4 * o.uniformLoss(), output()); // 0.74 nats after 60 steps, against 3.33
        for (String s : List.of(o.greedy(), o.sampled())) {
            assertEquals(4 + 80, s.length());
            assertTrue(s.startsWith("the ") && s.chars().allMatch(c -> CharLstm.TEXT.indexOf(c) >= 0), s);
        }
        // Greedy continuation repeats what the text says most often after "the ": its words, not noise.
        assertTrue(o.greedy().substring(4).startsWith("lazy dog") || o.greedy().substring(4).startsWith("quick") || o.greedy().substring(4).startsWith("sun"), o.greedy());
    }

    @Test
    void theDocumentedCommandsNameTheExamplesJarAndRealMainClasses() throws Exception {
        // docs/examples.md and docs/learn/*.md run examples as 'java ... -cp JAR io.jgrad.examples.NAME'.
        Pattern command = Pattern.compile("-cp (\\S+) (io\\.jgrad\\.examples\\.\\w+)");
        Set<String> classes = new TreeSet<>();
        for (String doc : List.of("examples.md", "learn/backprop.md", "learn/adam.md")) {
            Matcher m = command.matcher(Files.readString(Path.of("..", "docs", doc)));
            while (m.find()) {
                assertEquals("examples/target/jgrad-examples.jar", m.group(1), doc);
                Method main = Class.forName(m.group(2)).getMethod("main", String[].class);
                assertTrue(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers()), m.group(2));
                classes.add(m.group(2).substring("io.jgrad.examples.".length()));
            }
        }
        assertEquals(Set.of("AdamByHand", "BackpropByHand", "CharLstm", "DigitsAutoencoder", "DigitsGan", "MnistConvNet"), classes);
        // The jar those commands name is the one the examples module builds.
        assertTrue(Files.readString(Path.of("..", "examples", "pom.xml")).contains("<finalName>jgrad-examples</finalName>"));
    }
}
