package io.jgrad.tensor.io;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Coverage-guided fuzzing of {@link Json} (Jazzer). In a normal build it runs the committed inputs under
 * {@code src/test/resources/io/jgrad/tensor/io/JsonFuzzTestInputs/} as regression tests; with
 * {@code JAZZER_FUZZ=1} it fuzzes (see docs/fuzzing.md). Any exception but {@link JsonException} is a finding,
 * and what parses must write back to text that parses to the same value.
 */
class JsonFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Object value;
        try {
            value = Json.parse(text);
        } catch (JsonException expected) {
            return;
        }
        assertEquals(value, Json.parse(Json.write(value)), "write then parse gives back the value");
    }
}
