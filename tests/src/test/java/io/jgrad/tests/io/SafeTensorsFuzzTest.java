package io.jgrad.tests.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jgrad.tensor.io.SafeTensors;
import io.jgrad.tensor.io.SafeTensorsException;
import io.jgrad.tensor.io.SafeTensorsFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the safetensors reader (Jazzer); here, not in the tensor module, because reading
 * needs a backend. The committed inputs ({@code src/test/resources/io/jgrad/tests/io/SafeTensorsFuzzTestInputs/})
 * run as regression tests in every build; {@code JAZZER_FUZZ=1} fuzzes (docs/fuzzing.md). The only failure
 * allowed is a {@link SafeTensorsException} naming the source; a file that reads must write back to the same
 * bytes when it was written the canonical way, and always to a file that reads to the same tensors.
 */
class SafeTensorsFuzzTest {

    private static final String NAME = "fuzz.safetensors";

    @FuzzTest(maxDuration = "60s")
    void read(byte[] input) throws IOException {
        SafeTensorsFile file;
        try {
            file = SafeTensors.read(input, NAME);
        } catch (SafeTensorsException e) {
            assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, file.tensors(), file.metadata());
        SafeTensorsFile again = SafeTensors.read(out.toByteArray(), "rewritten");
        assertEquals(file.tensors().keySet(), again.tensors().keySet());
        for (String k : file.tensors().keySet()) {
            assertArrayEquals(file.tensors().get(k).shape(), again.tensors().get(k).shape(), k);
            assertArrayEquals(file.tensors().get(k).toDoubleArray(), again.tensors().get(k).toDoubleArray(), k);
        }
        assertEquals(file.metadata(), again.metadata());
    }
}
