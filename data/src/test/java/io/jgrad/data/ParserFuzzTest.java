package io.jgrad.data;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the data readers (Jazzer): IDX (plain and gzipped), CSV and PNG. In every build
 * each method runs its committed inputs ({@code src/test/resources/io/jgrad/data/ParserFuzzTestInputs/METHOD/})
 * as regression tests; {@code JAZZER_FUZZ=1} fuzzes one method (docs/fuzzing.md). The only failure allowed is
 * the reader's own {@link DataFileException} naming the source.
 */
class ParserFuzzTest {

    private static void expected(DataFileException e, String source) {
        assertTrue(e.getMessage().startsWith(source + ": "), e.getMessage());
    }

    @FuzzTest(maxDuration = "60s")
    void idx(byte[] input) throws IOException {
        try {
            IdxData d = IdxReader.read(new ByteArrayInputStream(input), "fuzz.idx");
            long n = 1;
            for (int dim : d.dims()) n *= dim;
            assertTrue(n == d.data().length, "the data holds what the dims declare");
        } catch (DataFileException e) {
            expected(e, "fuzz.idx");
        }
    }

    @FuzzTest(maxDuration = "60s")
    void csv(byte[] input) throws IOException {
        try {
            TensorDataset ds = new CsvReader().read(new ByteArrayInputStream(input), "fuzz.csv");
            assertTrue(ds.size() > 0 && ds.numClasses() <= CsvReader.DEFAULT_MAX_CLASSES);
            for (float v : ds.get(0).input().toFloatArray()) assertTrue(Float.isFinite(v), "features are finite");
        } catch (DataFileException e) {
            expected(e, "fuzz.csv");
        }
    }

    @FuzzTest(maxDuration = "60s")
    void png(byte[] input) {
        try {
            PngReader.Digit d = PngReader.readDigit(input, "fuzz.png");
            for (float v : d.image().toFloatArray()) assertTrue(v >= 0 && v <= 1, "pixel values / 255");
        } catch (DataFileException e) {
            expected(e, "fuzz.png");
        }
    }
}
