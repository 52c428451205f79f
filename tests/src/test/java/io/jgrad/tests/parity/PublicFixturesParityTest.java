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

    /** Fixture ops that belong to later issues (layers, losses, end-to-end). */
    static final Set<String> NOT_YET = Set.of(
            "batch_norm_eval", "batch_norm_train", "bce_with_logits", "binary_cross_entropy", "cross_entropy",
            "cross_entropy_smooth_sum", "e2e_mlp_adam", "gru", "l1_loss", "layer_norm", "lstm", "mse_loss",
            "multi_head_attention", "nll_loss", "rnn_tanh", "scaled_dot_product_attention_causal", "smooth_l1_loss");

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
        assertTrue(s.passed() >= 35, "expected every op case of the core issue to pass:\n" + report);
    }

    @Test
    void summaryLineIsPrintedLast() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new ParityRunner(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(List.of(FIXTURES.resolve("unary_exp.safetensors")));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals("1 passed, 0 failed, 0 skipped", lines[lines.length - 1]);
    }
}
