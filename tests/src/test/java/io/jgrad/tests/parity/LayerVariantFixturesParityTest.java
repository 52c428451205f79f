package io.jgrad.tests.parity;

import io.jgrad.cli.parity.ParityRunner;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Normalisation and loss fixtures with other shapes and arguments than the public set (written by
 * {@code fixtures/layers-variants/generate.py} with PyTorch): every one must run and pass, none be skipped.
 */
class LayerVariantFixturesParityTest {

    @Test
    void everyVariantMatchesPyTorch() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ParityRunner.Summary s = new ParityRunner(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .runDirectory(Path.of("src/test/resources/fixtures/layers-variants"));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(42, s.passed(), report);
        assertEquals(0, s.failed() + s.skipped() + s.unreadable(), report);
    }
}
