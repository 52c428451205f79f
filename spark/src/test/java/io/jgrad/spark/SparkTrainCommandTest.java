package io.jgrad.spark;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command-line entry point: a short run on local[2] writes its files, bad flags get a usage error. */
class SparkTrainCommandTest {

    @BeforeAll
    static void onlyWhereSparkStarts() {
        LocalSpark.start("command").stop();
    }

    private static int run(ByteArrayOutputStream buffer, String... args) throws Exception {
        return SparkTrain.run(List.of(args), new PrintStream(buffer, true));
    }

    @Test
    void aShortRunWritesModelMetricsPlotsAndFingerprintAndResumes(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path out = tmp.resolve("run");
        int code = run(log, "--master", "local[2]", "--rounds", "12", "--batch-size", "32", "--partitions", "2", "--sync-every", "2",
                "--checkpoint-every", "5", "--out", out.toString(), "--no-progress");
        String text = log.toString();
        assertEquals(0, code, text);
        for (String file : List.of("metrics.csv", "loss.png", "accuracy.png", "model.safetensors", "weights.sha256")) {
            assertTrue(Files.exists(out.resolve(file)), file + " in " + text);
        }
        assertTrue(Files.exists(io.jgrad.train.Checkpoints.optimizerFile(out.resolve("model.safetensors"))), "optimiser file in " + text);
        assertTrue(Files.isDirectory(out.resolve("checkpoints/round-00000012")), text);
        Matcher accuracy = Pattern.compile("test accuracy (\\d+\\.\\d+)%").matcher(text);
        assertTrue(accuracy.find(), text);
        assertTrue(Double.parseDouble(accuracy.group(1)) > 50, "24 steps of Adam on digits beat chance by far: " + text);
        String fingerprint = Files.readString(out.resolve("weights.sha256"));

        // Resuming after the last round trains nothing more and keeps the weights.
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertEquals(0, run(again, "--master", "local[2]", "--rounds", "12", "--batch-size", "32", "--partitions", "2", "--sync-every", "2",
                "--out", out.toString(), "--resume", "--no-progress"), again.toString());
        assertTrue(again.toString().contains("after round 12 (step 24)"), again.toString());
        assertEquals(fingerprint, Files.readString(out.resolve("weights.sha256")));
    }

    @Test
    void sparkIsFoundOnTheTestClassPath() {
        assertEquals(null, SparkAvailability.missingReason());
    }

    @Test
    void badFlagsGetAUsageError() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertEquals(2, run(log, "--master", "local[2]", "--sync-every", "0"));
        assertTrue(log.toString().startsWith("error: --sync-every expects a whole number >= 1, got '0'\n"), log.toString());
        assertTrue(log.toString().contains("usage: SparkTrain [options]"));

        ByteArrayOutputStream unknown = new ByteArrayOutputStream();
        assertEquals(2, run(unknown, "--master", "local[2]", "--learning-rate", "3"));
        assertTrue(unknown.toString().startsWith("error: unknown option '--learning-rate'\n"), unknown.toString());

        ByteArrayOutputStream noMaster = new ByteArrayOutputStream();
        assertEquals(2, run(noMaster, "--epochs", "1"));
        assertTrue(noMaster.toString().startsWith("error: no Spark master: pass --master local[2] or spark://HOST:PORT, or run through spark-submit"),
                noMaster.toString());

        ByteArrayOutputStream model = new ByteArrayOutputStream();
        assertEquals(2, run(model, "--master", "local[2]", "--model", "resnet"));
        assertTrue(model.toString().startsWith("error: --model expects one of mlp|cnn|lstm, got 'resnet'"), model.toString());
    }
}
