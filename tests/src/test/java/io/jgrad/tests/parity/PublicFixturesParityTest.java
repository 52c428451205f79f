package io.jgrad.tests.parity;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The copied public PyTorch fixtures through the parity runner, on whatever backend is selected. */
class PublicFixturesParityTest {

    static final Path FIXTURES = Path.of("src/test/resources/fixtures/pytorch");

    /** Fixture ops not implemented yet. */
    static final Set<String> NOT_YET = Set.of(
            "e2e_mlp_adam");

    @Test
    void everySupportedFixtureMatchesPyTorch() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ParityRunner.Summary s = new ParityRunner(new PrintStream(bytes, true, StandardCharsets.UTF_8)).runDirectory(FIXTURES);
        String report = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(report);
        assertEquals(0, s.failed(), report);
        assertEquals(0, s.unreadable(), report);
        // Everything skipped must be a later issue's op, never an op, optimiser or schedule that jgrad has.
        Set<String> skippedCases = new TreeSet<>();
        for (String skip : s.skips()) skippedCases.add(skip.substring(0, skip.indexOf(' ')));
        for (String name : skippedCases) {
            assertTrue(NOT_YET.contains(name), "unexpected skip: " + name + "\n" + report);
        }
        assertEquals(70, s.passed() + s.failed() + s.skipped(), report);
        assertTrue(s.passed() >= 51, "expected every op case of the core issue and the normalisation and loss cases to pass:\n" + report);
    }

    @Test
    void summaryLineIsPrintedLast() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new ParityRunner(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(List.of(FIXTURES.resolve("unary_exp.safetensors")));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals("1 passed, 0 failed, 0 skipped", lines[lines.length - 1]);
    }
}
