package io.jgrad.tests.cli;

import io.jgrad.cli.Jgrad;
import io.jgrad.data.CsvReader;
import io.jgrad.data.Datasets;
import io.jgrad.data.TensorDataset;
import io.jgrad.layers.Module;
import io.jgrad.train.CheckpointInfo;
import io.jgrad.train.Checkpoints;
import io.jgrad.train.RunDirectory;
import io.jgrad.train.models.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line against the defects an adversarial session found (issue 13): each case failed before its
 * fix. Trains only on small CSV files, so the whole class takes seconds.
 */
class JgradHardeningTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return Jgrad.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8).strip();
    }

    private static final Pattern ACCURACY = Pattern.compile("test accuracy: (\\d+\\.\\d\\d)%");

    private static String accuracy(String output) {
        Matcher m = ACCURACY.matcher(output);
        assertTrue(m.find(), output);
        return m.group(1);
    }

    /** {@code rows} rows of 4 features; the label is which of 3 regions (x0, x1) falls in, or {@code label.apply(row)}. */
    private Path csv(String name, int rows, java.util.function.IntUnaryOperator override) throws Exception {
        Random r = new Random(42);
        StringBuilder sb = new StringBuilder("a,b,c,d,label\n");
        for (int i = 0; i < rows; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            int label = (a > 0 ? 1 : 0) + (b > 0 ? 1 : 0);
            if (override != null) label = override.applyAsInt(i) < 0 ? label : override.applyAsInt(i);
            sb.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%.4f,%.4f,%d%n", a, b, r.nextGaussian(), r.nextGaussian(), label));
        }
        return Files.writeString(dir.resolve(name), sb.toString());
    }

    private Path csv() throws Exception {
        return csv("data.csv", 300, null);
    }

    @Test
    void evalWithABatchSizeNearIntMaxReportsTheRealAccuracy() throws Exception {
        Path out1 = dir.resolve("run");
        assertEquals(0, run("train", "--dataset", "csv:" + csv(), "--epochs", "2", "--out", out1.toString(), "--no-progress"), err());
        String trained = accuracy(out());
        // The batch count overflowed: no batches, "test accuracy: NaN%", exit 0.
        assertEquals(0, run("eval", "--dataset", "csv:" + csv(), "--checkpoint", out1.resolve("model.safetensors").toString(), "--batch-size", "2147482649"),
                err());
        assertEquals(trained, accuracy(out()));
    }

    @Test
    void evalSplitsACsvWithTheTrainingSeedAndUsesItsClassCount() throws Exception {
        Path data = csv();
        for (String seed : List.of("3", "11")) {
            Path runDir = dir.resolve("seed" + seed);
            assertEquals(0, run("train", "--dataset", "csv:" + data, "--epochs", "2", "--seed", seed, "--out", runDir.toString(), "--no-progress"), err());
            String trained = accuracy(out());
            CheckpointInfo info = Checkpoints.readInfo(runDir.resolve("model.safetensors"));
            assertEquals(seed, info.options().get(CheckpointInfo.SEED));
            assertEquals("3", info.options().get(CheckpointInfo.NUM_CLASSES));
            assertEquals("0.1", info.options().get(CheckpointInfo.VALIDATION_SPLIT));
            // eval split with seed 0 whatever the training seed: its "test" set was mostly training data.
            assertEquals(0, run("eval", "--dataset", "csv:" + data, "--checkpoint", runDir.resolve("model.safetensors").toString()), err());
            assertEquals(trained, accuracy(out()), "seed " + seed);
        }
    }

    @Test
    void aCsvClassSeenOnlyInTheTestSplitIsOneOfTheModelsClasses() throws Exception {
        // The row that seed 0 puts in the test split gets class 3; no training row has it.
        TensorDataset plain = new CsvReader().read(csv("plain.csv", 100, null));
        int testRow = Datasets.split(plain, 0.2, 0).validation().indices()[0];
        Path data = csv("rare.csv", 100, i -> i == testRow ? 3 : -1);
        // The class count came from the training split's largest label (3 classes) and the test
        // evaluation after training crashed in the confusion matrix.
        assertEquals(0, run("train", "--dataset", "csv:" + data, "--epochs", "1", "--validation-split", "0", "--out", dir.resolve("r").toString(),
                "--no-progress"), err());
        assertTrue(out().contains("actual\\pred      0      1      2      3"), out());
    }

    @Test
    void aValidationSplitThatLeavesNoTrainingDataIsAUsageError() throws Exception {
        Path runDir = dir.resolve("v");
        assertEquals(2, run("train", "--dataset", "csv:" + csv(), "--validation-split", "0.9999", "--out", runDir.toString()));
        assertEquals("jgrad train: --validation-split 0.9999 leaves no training examples (of 240)", err());
        assertFalse(Files.exists(runDir.resolve("best.safetensors")), "no untrained 'best' model");
    }

    @Test
    void searchWithAbsurdTrialCountsIsAUsageErrorNotAnOutOfMemoryError() {
        assertEquals(2, run("search", "--trials", "2147483647"));
        assertEquals("jgrad search: --trials 2147483647: random: the number of trials must be in 1..10000, got 2147483647", err());
        String lrs = String.join(",", java.util.Collections.nCopies(200, "1e-3"));
        assertEquals(2, run("search", "--lr", lrs, "--weight-decay", lrs.replace("1e-3", "0")));
        assertEquals("jgrad search: grid: 40000 combinations, more than the limit of 10000 trials", err());
    }

    @Test
    void aLabelColumnOfIdsIsRefusedNamingTheFileAndTheLabel() throws Exception {
        Path data = csv("ids.csv", 50, i -> i == 7 ? 1000000 : -1);
        assertEquals(1, run("train", "--dataset", "csv:" + data, "--out", dir.resolve("ids").toString()));
        assertEquals("jgrad train: " + data + ": line 9, column 5 (\"label\"): label 1000000 would make more than 10000 classes"
                + " (labels are class indices 0..9999); is this column an id or a measurement?", err());
    }

    @Test
    void outOfMemoryIsOneLineAndAFailureStatus() throws Exception {
        // Jgrad.run caught Exception but not Error: an OutOfMemoryError ended in a stack trace.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx24m", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Jgrad.class.getName(),
                "train", "--epochs", "1", "--out", dir.resolve("oom").toString(), "--no-progress").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), stderr);
        List<String> lines = stderr.lines().filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(1, lines.size(), stderr);
        assertTrue(lines.get(0).startsWith("jgrad train: out of memory ("), stderr);
        assertTrue(lines.get(0).contains("raise it with -Xmx"), stderr);
    }

    @Test
    void resumeKeepsTheBestModelTheHistoryAndAppliesLr() throws Exception {
        Path data = csv(), runDir = dir.resolve("resume");
        assertEquals(0, run("train", "--dataset", "csv:" + data, "--epochs", "2", "--seed", "5", "--out", runDir.toString(), "--no-progress"), err());
        Path best = runDir.resolve("best.safetensors");
        CheckpointInfo bestBefore = Checkpoints.readInfo(best);
        // A learning rate too small to change the model: epoch 3 scores exactly what epoch 2 scored, which is no
        // improvement over the best so far. The tracker started from -inf and overwrote best.safetensors.
        assertEquals(0, run("train", "--dataset", "csv:" + data, "--epochs", "3", "--lr", "1e-30", "--resume", runDir.resolve("model.safetensors").toString(),
                "--out", runDir.toString(), "--no-progress"), err());
        assertTrue(out().contains("--lr 1.00e-30 replaces the checkpoint's learning rate 0.00100"), out());
        assertTrue(out().contains("adam lr 1.00e-30"), "the banner tells the lr in use: " + out());
        assertTrue(out().contains("(216 train, 24 validation, 60 test examples)"), "the seed and split of the first part: " + out());
        assertEquals(bestBefore.epoch(), Checkpoints.readInfo(best).epoch(), out());
        List<String> csvRows = Files.readAllLines(runDir.resolve("metrics.csv"));
        assertEquals(4, csvRows.size(), "header and epochs 1, 2, 3: " + csvRows);
        assertTrue(csvRows.get(1).startsWith("1,") && csvRows.get(3).startsWith("3,"), csvRows.toString());
        assertEquals(3, Checkpoints.readInfo(runDir.resolve("model.safetensors")).epoch());
        // Another seed than the checkpoint's would split the data differently.
        assertEquals(2, run("train", "--dataset", "csv:" + data, "--epochs", "4", "--seed", "6", "--resume", runDir.resolve("model.safetensors").toString(),
                "--out", runDir.toString()));
        assertTrue(err().contains("--seed 6 differs from the 5 that --resume"), err());
    }

    @Test
    void aBadOrBusyOutputDirectoryIsRefusedBeforeTraining() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertEquals(2, run("train", "--dataset", "csv:" + csv(), "--out", file.toString()));
        assertEquals("jgrad train: --out " + file + ": exists and is not a directory", err());
        assertFalse(out().contains("epoch 1/"), "nothing trained: " + out());

        Path busy = dir.resolve("busy");
        try (RunDirectory other = RunDirectory.open(busy)) {
            assertEquals(2, run("train", "--dataset", "csv:" + csv(), "--out", busy.toString()));
            assertTrue(err().startsWith("jgrad train: --out " + busy + ": another jgrad run is writing to this directory (process "), err());
            assertFalse(out().contains("epoch 1/"), out());
        }
        assertEquals(0, run("train", "--dataset", "csv:" + csv(), "--epochs", "1", "--out", busy.toString(), "--no-progress"), err());
    }

    @Test
    void badCheckpointMetadataBlamesTheCheckpointNotAFlag() throws Exception {
        Module model = Models.create("mlp", new int[] {4}, 3);
        Path ckpt = dir.resolve("odd.safetensors");
        Checkpoints.save(ckpt, model, new CheckpointInfo("mlp", 1, Map.of(), Map.of("normalize", "abc")));
        assertEquals(2, run("eval", "--dataset", "csv:" + csv(), "--checkpoint", ckpt.toString()));
        assertTrue(err().startsWith("jgrad eval: checkpoint " + ckpt + ": metadata option 'normalize' expects MEAN,STD"), err());
        Checkpoints.save(ckpt, model, new CheckpointInfo("mlp", 1, Map.of(), Map.of("seed", "x1")));
        assertEquals(1, run("eval", "--dataset", "csv:" + csv(), "--checkpoint", ckpt.toString()));
        assertEquals("jgrad eval: checkpoint " + ckpt + ": metadata option 'seed' is 'x1', not an integer", err());
    }
}
