package io.jgrad.tests.cli;

import io.jgrad.cli.Jgrad;
import io.jgrad.data.DataSources;
import io.jgrad.data.IdxWriter;
import io.jgrad.data.TensorDataset;
import io.jgrad.examples.Quickstart;
import org.junit.jupiter.api.BeforeAll;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JgradCommandTest {

    /** One real training run shared by the tests below: the MLP, one epoch on the embedded digits (a few seconds). */
    @TempDir
    static Path run;
    private static String trainOutput;
    private static int trainStatus;
    private static TensorDataset testDigits;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void trainOnce() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        trainStatus = Jgrad.run(new String[] {"train", "--epochs", "1", "--out", run.toString(), "--no-progress"}, ps, ps);
        trainOutput = bytes.toString(StandardCharsets.UTF_8);
        testDigits = DataSources.digits().test();
    }

    private int run(String... args) {
        return Jgrad.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static String lastLine(String text) {
        return text.strip().lines().reduce((a, b) -> b).orElseThrow();
    }

    private static final Pattern ACCURACY = Pattern.compile("test accuracy: (\\d+\\.\\d\\d)%");

    private static double testAccuracy(String output) {
        Matcher m = ACCURACY.matcher(lastLine(output));
        assertTrue(m.matches(), "the last line should be 'test accuracy: NN.NN%':\n" + output);
        return Double.parseDouble(m.group(1));
    }

    private String checkpoint() {
        return run.resolve("model.safetensors").toString();
    }

    @Test
    void helpListsCommands() {
        assertEquals(0, run("help"));
        for (String cmd : List.of("train", "eval", "predict", "search", "parity", "info")) assertTrue(out().contains("  " + cmd), out());
    }

    @Test
    void benchWithoutTheBenchJarNamesIt() {
        // tests does not depend on bench, so no JgradCommand provides 'bench' on this class path.
        assertEquals(2, run("bench", "gemm"));
        assertTrue(err().contains("bench/target/jgrad-bench.jar") && err().contains("./jgrad bench"), err());
        out.reset();
        assertEquals(0, run("help"));
        assertTrue(out().contains("  bench ") && out().contains("needs bench/target/jgrad-bench.jar"), out());
    }

    @Test
    void trainOnSparkWithoutTheSparkModuleSaysHowToRunIt() {
        // tests does not depend on the spark module: the command must say what to add, not fail with a class error.
        assertEquals(2, run("train", "--spark", "local[2]", "--epochs", "1"));
        assertTrue(err().contains("jgrad-spark") && err().contains("./jgrad train --spark MASTER"), err());
    }

    @Test
    void sparkNeedsAMasterUrl() {
        assertEquals(2, run("train", "--epochs", "1", "--spark"));
        assertTrue(err().contains("--spark needs a master URL"), err());
    }

    @Test
    void everySubcommandAnswersHelp() {
        for (String cmd : new String[] {"train", "eval", "predict", "search", "parity", "info"}) {
            out.reset();
            assertEquals(0, run(cmd, "--help"), cmd);
            assertTrue(out().startsWith("usage: jgrad " + cmd), out());
        }
    }

    @Test
    void trainEndsWithTheTestAccuracyAndWritesItsFiles() throws Exception {
        assertEquals(0, trainStatus, trainOutput);
        assertTrue(testAccuracy(trainOutput) > 80, "one epoch of the MLP on the digits: " + lastLine(trainOutput));
        assertTrue(trainOutput.contains("epoch 1/1  train loss "), trainOutput);
        for (String f : List.of("metrics.csv", "loss.png", "accuracy.png", "model.safetensors", "best.safetensors")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertTrue(Files.size(io.jgrad.train.Checkpoints.optimizerFile(run.resolve("model.safetensors"))) > 0, "the optimiser state");
        assertEquals(2, Files.readAllLines(run.resolve("metrics.csv")).size());
    }

    @Test
    void evalOfTheCheckpointReportsTheSameTestAccuracy() {
        assertEquals(0, run("eval", "--checkpoint", checkpoint()), err());
        assertEquals(testAccuracy(trainOutput), testAccuracy(out()));
        assertTrue(out().startsWith("mlp on digits test split (1000 examples)"), out());
    }

    @Test
    void predictClassifiesTheImagesOfAnIdxFile() throws Exception {
        int n = 5;
        byte[] pixels = new byte[n * 784];
        for (int i = 0; i < n; i++) {
            float[] px = testDigits.get(i).input().toFloatArray();
            for (int p = 0; p < 784; p++) pixels[i * 784 + p] = (byte) Math.round(px[p] * 255);
        }
        Path idx = dir.resolve("five-images-idx3-ubyte");
        IdxWriter.write(idx, new int[] {n, 28, 28}, pixels, false);
        assertEquals(0, run("predict", "--checkpoint", checkpoint(), idx.toString()), err());
        List<String> lines = out().lines().toList();
        assertEquals(n, lines.size(), out());
        int right = 0;
        for (int i = 0; i < n; i++) {
            Matcher m = Pattern.compile("image " + i + ": predicted (\\d)  \\(top 3: \\d 0\\.\\d{3}, \\d 0\\.\\d{3}, \\d 0\\.\\d{3}\\)").matcher(lines.get(i));
            assertTrue(m.matches(), lines.get(i));
            if (Integer.parseInt(m.group(1)) == testDigits.get(i).label()) right++;
        }
        assertTrue(right >= 4, right + " of 5 right:\n" + out());
    }

    @Test
    void predictReadsAPngScaledAndInvertedIfItsBackgroundIsLight() throws Exception {
        float[] px = testDigits.get(0).input().toFloatArray();
        long label = testDigits.get(0).label();
        // The digit drawn at twice the size, once as MNIST draws it (light on dark), once dark on light.
        for (boolean light : new boolean[] {false, true}) {
            BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 56; y++) {
                for (int x = 0; x < 56; x++) {
                    int v = Math.round(255 * px[(y / 2) * 28 + x / 2]);
                    if (light) v = 255 - v;
                    img.setRGB(x, y, v << 16 | v << 8 | v);
                }
            }
            Path png = dir.resolve("digit.png");
            ImageIO.write(img, "png", png.toFile());
            out.reset();
            assertEquals(0, run("predict", "--checkpoint", checkpoint(), png.toString()), err());
            assertEquals(light, out().contains("(inverted a light-background image)"), out());
            assertTrue(lastLine(out()).startsWith("predicted: " + label + "  (top 3: " + label + " "), out());
        }
    }

    @Test
    void searchRanksAGridOfTrialsOnAFewHundredDigits() {
        assertEquals(0, run("search", "--limit", "300", "--lr", "1e-3,1e-2", "--batch-size", "32"), err());
        List<String> lines = out().lines().toList();
        assertEquals("grid search, 2 trials of mlp on digits (270 train, 30 validation examples), 1 epoch each", lines.get(0));
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("trial  lr")).findFirst().orElseThrow());
        assertEquals(header + 4, lines.size(), out()); // header, two trials, the best
        double first = accuracyOf(lines.get(header + 1)), second = accuracyOf(lines.get(header + 2));
        assertTrue(first >= second, out());
        assertTrue(lines.get(header + 3).startsWith("best: lr "), out());
    }

    @Test
    void randomSearchDrawsTheGivenNumberOfTrials() {
        assertEquals(0, run("search", "--limit", "200", "--trials", "2", "--lr", "1e-4,1e-2", "--optimizer", "adam,sgd", "--seed", "3"), err());
        assertTrue(out().startsWith("random search, 2 trials of mlp on digits"), out());
        assertEquals(2, out().lines().filter(l -> l.matches("trial \\d/2: lr .*")).count(), out());
    }

    private static double accuracyOf(String tableRow) {
        Matcher m = Pattern.compile(".* (\\d+\\.\\d\\d)% .*").matcher(tableRow);
        assertTrue(m.matches(), tableRow);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void unknownCommandFlagAndBadValuesAreOneLineErrorsWithStatus2() throws Exception {
        String png = dir.resolve("blank.png").toString();
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", new java.io.File(png));
        String[][] cases = {
                {"frobnicate"},
                {"train", "--epochs", "zero"},
                {"train", "--bogus"},
                {"train", "--lr"},
                {"parity"},
                {"parity", "/definitely/not/here"},
                {"parity", "--backend", "nope", "."},
                {"eval", "--bogus"},
                {"eval", "--checkpoint", "/definitely/not/here.safetensors"},
                {"eval", "--batch-size", "0", "--checkpoint", checkpoint()},
                {"predict", "--checkpoint", "/definitely/not/here.safetensors", png},
                {"predict", "--limit", "many", "--checkpoint", checkpoint(), png},
                {"search", "--epochs", "0"},
                {"search", "--optimizer", "adam,nope"},
                {"search", "--lr", "1e-3,abc"},
                {"search", "--grid", "--trials", "3"},
                {"search", "--frobnicate"},
        };
        for (String[] c : cases) assertEquals(2, run(c), String.join(" ", c));
        String[] lines = err().strip().split("\n");
        assertEquals(cases.length, lines.length, err());
        assertTrue(lines[0].contains("unknown command 'frobnicate'"), lines[0]);
        assertTrue(lines[1].contains("--epochs expects a positive integer, got 'zero'"), lines[1]);
        assertTrue(lines[6].contains("no backend named 'nope': found ["), lines[6]);
        assertEquals("jgrad eval: unknown option '--bogus'", lines[7]);
        assertEquals("jgrad eval: --checkpoint /definitely/not/here.safetensors: no such file", lines[8]);
        assertEquals("jgrad eval: --batch-size expects a positive integer, got '0'", lines[9]);
        assertEquals("jgrad predict: --checkpoint /definitely/not/here.safetensors: no such file", lines[10]);
        assertEquals("jgrad predict: --limit expects a positive integer, got 'many'", lines[11]);
        assertEquals("jgrad search: --epochs expects a positive integer, got '0'", lines[12]);
        assertEquals("jgrad search: --optimizer expects one of adam|adamw|sgd|rmsprop|adagrad|adadelta|adamax|nadam|adabound, got 'nope'", lines[13]);
        assertEquals("jgrad search: --lr expects a number > 0.0, got 'abc'", lines[14]);
        assertEquals("jgrad search: --grid and --trials N exclude each other", lines[15]);
        assertEquals("jgrad search: unknown option '--frobnicate'", lines[16]);
    }

    @Test
    void aCheckpointOfAnotherArchitectureIsAUsageError() throws Exception {
        Path png = dir.resolve("blank.png");
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", png.toFile());
        assertEquals(2, run("eval", "--model", "cnn", "--checkpoint", checkpoint()));
        assertEquals(2, run("predict", "--model", "cnn", "--checkpoint", checkpoint(), png.toString()));
        String[] lines = err().strip().split("\n");
        assertEquals(2, lines.length, err());
        assertEquals("jgrad eval: --checkpoint " + checkpoint() + " holds a 'mlp' model, not 'cnn'", lines[0]);
        assertEquals("jgrad predict: --checkpoint " + checkpoint() + " holds a 'mlp' model, not 'cnn'", lines[1]);
    }

    @Test
    void infoListsTheReferenceBackend() {
        assertEquals(0, run("info"));
        assertTrue(out().contains("reference") && out().contains("available"), out());
        // Every GPU family has a line: its backend's state, or that no backend of it is in this build.
        for (String gpu : List.of("opencl", "cuda")) assertTrue(out().lines().anyMatch(l -> l.startsWith(gpu + " ")), out());
    }

    @Test
    void quickstartPrintsWhatTheReadmeSays() {
        // x·w = [0.6, 1.2]; residuals [-0.4, -0.8]; loss = (0.16 + 0.64) / 2 = 0.4;
        // dloss/dw = (2/2)·xᵀ·r = [-0.4 - 3.2, -0.8 - 4.0, -1.2 - 4.8].
        float[] grad = Quickstart.run().toFloatArray();
        assertArrayEquals(new float[] {-3.6f, -4.8f, -6.0f}, grad, 1e-5f);
    }
}
