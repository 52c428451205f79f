package io.jgrad.tests.parity;

import io.jgrad.cli.parity.ParityRunner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jgrad.tensor.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The PyTorch fixtures on the vector backend pass exactly the cases they pass on the reference backend. */
class VectorParityTest {

    @AfterEach
    void backToTheAutomaticChoice() {
        Backends.use(null);
    }

    private static ParityRunner.Summary runOn(String backend, StringBuilder report) throws Exception {
        Backends.use(backend);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ParityRunner.Summary s = new ParityRunner(new PrintStream(bytes, true, StandardCharsets.UTF_8)).runDirectory(PublicFixturesParityTest.FIXTURES);
        report.append("== ").append(backend).append('\n').append(bytes.toString(StandardCharsets.UTF_8));
        return s;
    }

    @Test
    void sameCountsAsTheReference() throws Exception {
        assumeTrue(Backends.status().stream().anyMatch(e -> e.name().equals("vector") && e.available()),
                "vector backend unavailable: " + Backends.describe());
        StringBuilder report = new StringBuilder();
        ParityRunner.Summary reference = runOn("reference", report);
        ParityRunner.Summary vector = runOn("vector", report);
        System.out.print(report);
        assertEquals(reference.passed(), vector.passed(), report.toString());
        assertEquals(reference.failed(), vector.failed(), report.toString());
        assertEquals(reference.skipped(), vector.skipped(), report.toString());
        assertEquals(0, vector.failed(), report.toString());
    }
}
