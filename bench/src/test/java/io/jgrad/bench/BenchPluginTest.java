package io.jgrad.bench;

import io.jgrad.cli.Jgrad;
import io.jgrad.tensor.Backends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** 'jgrad bench' reaches BenchCommand through the cli's JgradCommand SPI (META-INF/services of this module). */
class BenchPluginTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void backToTheCpu() {
        Backends.use(null);   // bench memory and epoch make the chosen backend the default, as train's device option does
    }

    private int run(String... args) {
        return Jgrad.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void benchHelpComesFromTheBenchModule() {
        assertEquals(0, run("bench", "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: jgrad bench gemm"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheBenchCommandOnce() {
        assertEquals(0, run("help"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\n  bench gemm|conv|epoch|mnist|models|gc|jmh   benchmarks against OpenBLAS and PyTorch"), text);
        assertEquals(text.indexOf("  bench "), text.lastIndexOf("  bench "), text);
    }

    @Test
    void anUnknownBenchIsAUsageError() {
        assertEquals(2, run("bench", "nope"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown bench 'nope'"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBackendThatIsNotHereIsAUsageErrorNamingWhatWasFound() {
        assertEquals(2, run("bench", "gemm", "--backend", "nope"));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("--backend nope: no backend named 'nope': found ["), text);
        assertEquals(2, run("bench", "memory"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("memory needs --backend NAME"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void gemmRunsOnAnyBackendByName() {
        assumeOpenCl();
        assertEquals(0, run("bench", "gemm", "--backend", "opencl", "--sizes", "64"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("device: ") && text.contains("(opencl:0), TF32 off"), text);
        assertTrue(text.lines().anyMatch(l -> l.matches(" *64 \\| +[0-9.]+ \\|.*")), text);
        // The sampled error against float64 products: a float32 product's, far below the bound.
        assertTrue(text.lines().anyMatch(l -> l.matches(" *64 \\|.*\\| +[0-9.]+e-(0[5-9]|[1-9][0-9]) \\| .*")), text);
        assertTrue(text.contains("gemm n=64 opencl/cublas: "), text);
    }

    /**
     * The counters and the verdict, not the verdict's value: the OpenCL backend frees device buffers when the garbage
     * collector finds their storages unreachable, and 30 steps may see no collection at all.
     */
    @Test
    void memoryWatchesTheDeviceAllocatorOverTrainingSteps() {
        assumeOpenCl();
        int status = run("bench", "memory", "--backend", "opencl", "--steps", "30", "--batch", "16");
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(status == 0 || status == 1, text);
        assertEquals(10, text.lines().filter(l -> l.matches(" *[0-9]+ \\| +[0-9.]+ \\| allocated [0-9.]+ MiB, reserved [0-9.]+ MiB, peak allocated [0-9.]+ MiB, peak reserved [0-9.]+ MiB")).count(), text);
        String verdict = text.strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(verdict.matches("memory opencl 30 steps: peak reserved [0-9.]+ MiB at step 15, [0-9.]+ MiB at the end: " + (status == 0 ? "flat" : "GROWING")), verdict);
        assertTrue(!text.contains("peak reserved 0.0 MiB"), text);
    }

    private static void assumeOpenCl() {
        var entry = Backends.startAll().stream().filter(e -> e.name().equals("opencl")).findFirst().orElse(null);
        String reason = entry == null ? "no opencl backend" : "opencl unavailable: " + entry.unavailableCause();
        if (entry == null || !entry.available()) System.out.println("[skip] " + reason);
        assumeTrue(entry != null && entry.available(), reason);
    }
}
