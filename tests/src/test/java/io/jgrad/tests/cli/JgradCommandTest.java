package io.jgrad.tests.cli;

import io.jgrad.tests.examples.Quickstart;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JgradCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Jgrad.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsCommands() {
        assertEquals(0, run("help"));
        assertTrue(out().contains("parity") && out().contains("train") && out().contains("info"), out());
    }

    @Test
    void everySubcommandAnswersHelp() {
        for (String cmd : new String[] {"train", "parity", "info"}) {
            out.reset();
            assertEquals(0, run(cmd, "--help"), cmd);
            assertTrue(out().startsWith("usage: jgrad " + cmd), out());
        }
    }

    @Test
    void unknownCommandFlagAndBadValuesAreOneLineErrorsWithStatus2() {
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("train", "--epochs", "zero"));
        assertEquals(2, run("train", "--bogus"));
        assertEquals(2, run("train", "--lr"));
        assertEquals(2, run("parity"));
        assertEquals(2, run("parity", "/definitely/not/here"));
        assertEquals(2, run("parity", "--backend", "nope", "."));
        String[] lines = err().strip().split("\n");
        assertEquals(7, lines.length, err());
        assertTrue(lines[0].contains("unknown command 'frobnicate'"), lines[0]);
        assertTrue(lines[1].contains("--epochs expects a positive integer, got 'zero'"), lines[1]);
        assertTrue(lines[6].contains("unknown backend 'nope'"), lines[6]);
    }

    @Test
    void infoListsTheReferenceBackend() {
        assertEquals(0, run("info"));
        assertTrue(out().contains("reference") && out().contains("available"), out());
    }

    @Test
    void trainLearnsTheSpirals() {
        assertEquals(0, run("train"));
        String last = out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("train accuracy: "), last);
        double accuracy = Double.parseDouble(last.substring("train accuracy: ".length(), last.length() - 1));
        assertTrue(accuracy > 95, "two spirals should be learnt to > 95%, got " + last);
    }

    @Test
    void quickstartPrintsWhatTheReadmeSays() {
        // x·w = [0.6, 1.2]; residuals [-0.4, -0.8]; loss = (0.16 + 0.64) / 2 = 0.4;
        // dloss/dw = (2/2)·xᵀ·r = [-0.4 - 3.2, -0.8 - 4.0, -1.2 - 4.8].
        float[] grad = Quickstart.run().toFloatArray();
        assertArrayEquals(new float[] {-3.6f, -4.8f, -6.0f}, grad, 1e-5f);
    }
}
