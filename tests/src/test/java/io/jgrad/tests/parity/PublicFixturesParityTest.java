package io.jgrad.tests.parity;

import io.jgrad.cli.parity.ParityRunner;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The copied public PyTorch fixtures through the parity runner, on whatever backend is selected: all 70 pass. */
class PublicFixturesParityTest {

    static final Path FIXTURES = Path.of("src/test/resources/fixtures/pytorch");

    /** Runs a fixture folder and prints the runner's report. */
    static ParityRunner.Summary run(Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ParityRunner.Summary s = new ParityRunner(new PrintStream(bytes, true, StandardCharsets.UTF_8)).runDirectory(dir);
        System.out.print(bytes.toString(StandardCharsets.UTF_8));
        return s;
    }

    @Test
    void everyPublicFixtureMatchesPyTorch() throws Exception {
        ParityRunner.Summary s = run(FIXTURES);
        String report = String.join("\n", s.failures()) + "\nskipped: " + s.skips();
        assertEquals(0, s.failed(), report);
        assertEquals(0, s.unreadable(), report);
        assertEquals(0, s.skipped(), report);
        assertEquals(70, s.passed(), report);
    }

    /** Cases made by PyTorch 2.11 with settings the public set lacks (see fixtures/extra/generate.py). */
    @Test
    void everyExtraFixtureMatchesPyTorch() throws Exception {
        ParityRunner.Summary s = run(Path.of("src/test/resources/fixtures/extra"));
        String report = String.join("\n", s.failures()) + "\nskipped: " + s.skips();
        assertEquals(0, s.failed() + s.unreadable() + s.skipped(), report);
        assertEquals(40, s.passed(), report);
    }

    @Test
    void summaryLineIsPrintedLast() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new ParityRunner(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(List.of(FIXTURES.resolve("unary_exp.safetensors")));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals("1 passed, 0 failed, 0 skipped", lines[lines.length - 1]);
    }
}
