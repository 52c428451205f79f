package io.jgrad.tests.parity;

import io.jgrad.cli.parity.ParityRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Extra PyTorch fixtures for the recurrent and attention layers, in the shared format but with the shapes and
 * attributes the public set lacks (several layers, sequence-first, no bias or initial state, relu RNN, masks,
 * cross- and causal attention, the encoder layer). Made by {@code generate.py} beside them.
 */
class RecurrentFixturesParityTest {

    static final Path FIXTURES = Path.of("src/test/resources/fixtures/recurrent");

    @Test
    void everyExtraFixtureMatchesPyTorch() throws Exception {
        ParityRunner.Summary s = new ParityRunner(System.out).runDirectory(FIXTURES);
        assertEquals(List.of(), s.failures());
        assertEquals(List.of(), s.skips());
        assertEquals(17, s.passed());
    }
}
