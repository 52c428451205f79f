package io.jgrad.bench;

import io.jgrad.cli.Jgrad;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 'jgrad bench' reaches BenchCommand through the cli's JgradCommand SPI (META-INF/services of this module). */
class BenchPluginTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

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
        assertTrue(text.contains("\n  bench gemm|conv|epoch|models|jmh    benchmarks against OpenBLAS and PyTorch"), text);
        assertEquals(text.indexOf("  bench "), text.lastIndexOf("  bench "), text);
    }

    @Test
    void anUnknownBenchIsAUsageError() {
        assertEquals(2, run("bench", "nope"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown bench 'nope'"), err.toString(StandardCharsets.UTF_8));
    }
}
