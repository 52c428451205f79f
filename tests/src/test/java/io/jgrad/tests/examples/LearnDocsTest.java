package io.jgrad.tests.examples;

import io.jgrad.examples.AdamByHand;
import io.jgrad.examples.BackpropByHand;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every line a teaching example prints must appear verbatim in its page under docs/learn. */
class LearnDocsTest {

    static void assertDocQuotes(String doc, String output) throws Exception {
        String text = Files.readString(Path.of("..", "docs", "learn", doc));
        long lines = output.lines().count();
        assertTrue(lines > 5, "the example printed too little:\n" + output);
        for (String line : output.split("\n")) {
            assertTrue(text.contains(line.strip()), doc + " does not quote the engine's output line: " + line);
        }
    }

    @Test
    void backpropPageMatchesTheEngine() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BackpropByHand.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertDocQuotes("backprop.md", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void adamPageMatchesTheEngine() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AdamByHand.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertDocQuotes("adam.md", bytes.toString(StandardCharsets.UTF_8));
    }
}
