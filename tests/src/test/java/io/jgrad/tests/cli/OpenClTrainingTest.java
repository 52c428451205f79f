package io.jgrad.tests.cli;

import io.jgrad.cli.Jgrad;
import io.jgrad.tensor.Backends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code jgrad train --device opencl} trains the same model as the CPU run: model, batches and optimiser
 * state on the OpenCL device, the same seed, so the same losses up to float32 rounding. Runs on PoCL in CI;
 * skipped (with the reason) where no OpenCL device is available.
 */
class OpenClTrainingTest {

    private static final Pattern EPOCH = Pattern.compile("(?m)^epoch 1/1  train loss (\\d+\\.\\d+)  train acc (\\d+\\.\\d+)%.*$");
    private static final Pattern ACCURACY = Pattern.compile("test accuracy: (\\d+\\.\\d\\d)%");

    @TempDir
    Path dir;

    @AfterEach
    void backToTheCpu() {
        Backends.use(null);
    }

    @Test
    void trainsTheMlpOnTheOpenClDeviceLikeOnTheCpu() {
        var opencl = Backends.startAll().stream().filter(e -> e.name().equals("opencl")).findFirst().orElseThrow();
        assumeTrue(opencl.available(), "no OpenCL device here: " + opencl.unavailableCause());

        String cpu = train("cpu");
        String gpu = train("opencl");
        assertTrue(gpu.contains("backend opencl"), gpu);
        double[] a = epoch(cpu), b = epoch(gpu);
        assertEquals(a[0], b[0], 2e-3, "train loss, cpu vs opencl");
        assertEquals(a[1], b[1], 0.5, "train accuracy (%), cpu vs opencl");
        assertEquals(accuracy(cpu), accuracy(gpu), 0.5, "test accuracy (%), cpu vs opencl");
        assertTrue(accuracy(gpu) > 80, gpu);
    }

    @Test
    void aDeviceWithoutABackendIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Jgrad.run(new String[] {"train", "--device", "cuda", "--epochs", "1", "--out", dir.toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--device cuda: no cuda backend is available here"), err.toString(StandardCharsets.UTF_8));
    }

    private String train(String device) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int status = Jgrad.run(new String[] {"train", "--device", device, "--epochs", "1", "--no-progress",
                "--out", dir.resolve(device).toString()}, ps, ps);
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, output);
        return output;
    }

    private static double[] epoch(String output) {
        Matcher m = EPOCH.matcher(output);
        assertTrue(m.find(), "no epoch line in:\n" + output);
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
    }

    private static double accuracy(String output) {
        Matcher m = ACCURACY.matcher(output);
        assertTrue(m.find(), "no test accuracy in:\n" + output);
        return Double.parseDouble(m.group(1));
    }
}
