package io.jgrad.tests.io;

import io.jgrad.tensor.io.SafeTensors;
import io.jgrad.tensor.io.SafeTensorsException;
import io.jgrad.tensor.io.SafeTensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per way a safetensors file can be broken; every message must name the file and the problem. */
class SafeTensorsMalformedTest {

    private static final String NAME = "broken.safetensors";

    @TempDir
    Path dir;

    /** An 8-byte little-endian length, then {@code rest}. */
    static byte[] withLength(long headerLength, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).put(rest).array();
    }

    /** A file with {@code header} (its true length) followed by {@code dataBytes} zero bytes. */
    static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return withLength(h.length, Arrays.copyOf(h, h.length + dataBytes));
    }

    static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    /** Reads {@code bytes} in memory, expects a SafeTensorsException naming the file and every phrase. */
    static SafeTensorsException fails(byte[] bytes, String... phrases) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(bytes, NAME));
        assertEquals(NAME, e.source());
        assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
        for (String p : phrases) assertTrue(e.getMessage().contains(p), () -> "'" + p + "' missing from: " + e.getMessage());
        return e;
    }

    private static final String GOOD = "{" + entry("x", "\"F32\"", "[2,3]", "[0,24]") + "}";

    @Test
    void theGoodFileReads() throws IOException {
        SafeTensorsFile f = SafeTensors.read(file(GOOD, 24), NAME);
        assertArrayEquals(new int[] {2, 3}, f.get("x").shape());
    }

    // ---- the 8-byte length and the header's extent -----------------------------------------------------

    @Test
    void truncatedFile() {
        fails(new byte[0], "0 bytes", "too short");
        fails(new byte[] {1, 0, 0, 0, 0}, "5 bytes", "too short");
    }

    @Test
    void fileCutInsideTheHeaderOrTheData() {
        byte[] whole = file(GOOD, 24);
        fails(Arrays.copyOf(whole, 8 + 10), "bad header length " + GOOD.length(), "only 10 bytes");
        fails(Arrays.copyOf(whole, whole.length - 5), "tensor 'x'", "offsets out of range", "[0,24]", "<= 19");
    }

    @Test
    void hugeHeaderLengthIsRejectedWithoutAllocating() {
        fails(withLength(1L << 62, GOOD.getBytes(StandardCharsets.UTF_8)), "bad header length 4611686018427387904");
        fails(withLength(-1L, new byte[16]), "bad header length 18446744073709551615"); // unsigned 2^64-1
    }

    @Test
    void headerLengthBeyondTheFile() {
        fails(withLength(100, "{}".getBytes(StandardCharsets.UTF_8)), "bad header length 100", "only 2 bytes");
    }

    @Test
    void headerLengthOverTheCapOnDisk() throws IOException {
        Path path = dir.resolve("sparse.safetensors");
        long n = SafeTensors.MAX_HEADER_BYTES + 8;
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.write(withLength(n, new byte[0]));
            raf.setLength(8 + n); // sparse: nothing is written past the length
        }
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(path));
        assertTrue(e.getMessage().startsWith(path + ": bad header length " + n), e.getMessage());
        assertTrue(e.getMessage().contains("limit of " + SafeTensors.MAX_HEADER_BYTES), e.getMessage());
    }

    @Test
    void readingFromDiskNamesThePath() throws IOException {
        Path path = dir.resolve("short.safetensors");
        Files.write(path, new byte[] {1, 2, 3});
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(path));
        assertEquals(path + ": file is 3 bytes, too short for the 8-byte header length", e.getMessage());
    }

    // ---- the header's JSON ------------------------------------------------------------------------------

    @Test
    void badJson() {
        fails(file("{\"x\":", 0), "bad JSON header", "JSON error at offset 5", "expected a JSON value");
        fails(file("{'x': 1}", 0), "bad JSON header", "offset 1");
        fails(file("", 0), "bad JSON header", "expected a JSON value");
        fails(file("{}{}", 0), "bad JSON header", "expected end of input");
    }

    @Test
    void headerNotUtf8() {
        byte[] bytes = file("{\"x\u00e9\":1}", 0);
        bytes[8 + 3] = (byte) 0xff; // first byte of the two-byte é
        fails(bytes, "bad JSON header", "not valid UTF-8 at header byte 3");
    }

    @Test
    void headerNotAnObject() {
        fails(file("[1,2]", 0), "bad JSON header", "expected an object, found array [1,2]");
    }

    // ---- tensor entries ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16", "I32", "U8", "BOOL", "f32", ""})
    void unknownDtype(String dtype) {
        fails(file("{" + entry("h", "\"" + dtype + "\"", "[2]", "[0,4]") + "}", 4),
                "tensor 'h'", "unsupported dtype \"" + dtype + "\"", "supported: F32, F64, I64");
    }

    @Test
    void missingFields() {
        fails(file("{\"x\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'x'", "missing \"dtype\"");
        fails(file("{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "tensor 'x'", "missing \"shape\"");
        fails(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 'x'", "missing \"data_offsets\"");
    }

    @Test
    void fieldsOfTheWrongJsonType() {
        fails(file("{\"x\":[1]}", 0), "tensor 'x'", "must be an object", "found array [1]");
        fails(file("{" + entry("x", "32", "[1]", "[0,4]") + "}", 4), "\"dtype\" must be a string, found number 32");
        fails(file("{" + entry("x", "\"F32\"", "\"1\"", "[0,4]") + "}", 4), "\"shape\" must be an array", "found string \"1\"");
        fails(file("{" + entry("x", "\"F32\"", "[1]", "[0]") + "}", 4), "\"data_offsets\" must be [begin, end]", "found array [0]");
        fails(file("{" + entry("x", "\"F32\"", "[1]", "[0,4.0]") + "}", 4), "\"data_offsets\" must be [begin, end]");
        fails(file("{" + entry("x", "\"F32\"", "[1]", "{\"a\":0}") + "}", 4), "\"data_offsets\" must be [begin, end]", "found object");
    }

    @Test
    void negativeDim() {
        fails(file("{" + entry("x", "\"F32\"", "[2,-3]", "[0,24]") + "}", 24), "tensor 'x'", "negative dim -3 in shape [2,-3]");
        fails(file("{" + entry("x", "\"F32\"", "[2,-99999999999999999999]", "[0,24]") + "}", 24), "negative dim");
    }

    @Test
    void nonIntegerDim() {
        fails(file("{" + entry("x", "\"F32\"", "[2.5]", "[0,10]") + "}", 10), "tensor 'x'", "non-integer dim number 2.5 in shape [2.5]");
        fails(file("{" + entry("x", "\"F32\"", "[\"2\"]", "[0,8]") + "}", 8), "non-integer dim string \"2\"");
    }

    @Test
    void dimsBeyondWhatJgradHolds() {
        fails(file("{" + entry("x", "\"F32\"", "[3000000000]", "[0,0]") + "}", 0), "dim 3000000000", "larger than 2147483647");
        fails(file("{" + entry("x", "\"F32\"", "[65536,65536]", "[0,0]") + "}", 0), "more than 2147483647 elements");
    }

    @Test
    void offsetsOutOfRange() {
        fails(file("{" + entry("x", "\"F32\"", "[2,3]", "[0,28]") + "}", 24), "tensor 'x'", "offsets out of range", "[0,28]", "<= 24");
        fails(file("{" + entry("x", "\"F32\"", "[0]", "[8,4]") + "}", 24), "offsets out of range", "0 <= begin <= end");
        fails(file("{" + entry("x", "\"F32\"", "[0]", "[-4,0]") + "}", 24), "offsets out of range");
        fails(file("{" + entry("x", "\"F32\"", "[0]", "[0,18446744073709551616]") + "}", 24), "offsets out of range");
    }

    @Test
    void offsetsDisagreeWithTheShape() {
        fails(file("{" + entry("x", "\"F32\"", "[2,3]", "[0,20]") + "}", 24),
                "tensor 'x'", "data_offsets [0,20] hold 20 bytes, but F32 shape [2,3] needs 24 bytes");
        fails(file("{" + entry("x", "\"F64\"", "[2,3]", "[0,24]") + "}", 48), "hold 24 bytes, but F64 shape [2,3] needs 48 bytes");
    }

    @Test
    void overlappingTensorsAreRejected() {
        String header = "{" + entry("a", "\"F32\"", "[4]", "[0,16]") + "," + entry("b", "\"F32\"", "[4]", "[8,24]") + "}";
        fails(file(header, 24), "'a'", "'b'", "overlap");
        String aliased = "{" + entry("a", "\"F32\"", "[4]", "[0,16]") + "," + entry("b", "\"I64\"", "[2]", "[0,16]") + "}";
        fails(file(aliased, 16), "overlap");
    }

    @Test
    void emptyTensorsAndUnknownEntryKeysAreAccepted() throws IOException {
        String header = "{" + entry("a", "\"F32\"", "[1]", "[0,4]") + "," + entry("e", "\"F64\"", "[0,2]", "[4,4]")
                + ",\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[4,12],\"note\":\"ignored\"}}";
        byte[] bytes = file(header, 12);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(8 + header.length(), 1.5f).putLong(8 + header.length() + 4, -7);
        SafeTensorsFile f = SafeTensors.read(bytes, NAME);
        assertEquals(1.5, f.get("a").get(0));
        assertArrayEquals(new int[] {0, 2}, f.get("e").shape());
        assertEquals(-7, f.get("b").getLong(0));
    }

    @Test
    void theTensorsMustCoverTheDataSectionExactly() {
        // As the reference implementation: the first tensor begins at 0, no holes, the last ends at the end of the file.
        String gap = "{" + entry("a", "\"F32\"", "[1]", "[0,4]") + "," + entry("b", "\"F32\"", "[1]", "[8,12]") + "}";
        fails(file(gap, 12), "bytes 4..8 of the data section belong to no tensor (tensor 'b' begins at 8)");
        String late = "{" + entry("a", "\"F32\"", "[1]", "[4,8]") + "}";
        fails(file(late, 8), "bytes 0..4 of the data section belong to no tensor");
        fails(file(GOOD, 28), "the tensors end at byte 24 of the data section, but it holds 28 bytes");
        fails(file("{}", 3), "the tensors end at byte 0 of the data section, but it holds 3 bytes");
    }

    @ParameterizedTest(name = "header length {0} bytes short")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void aHeaderLengthThatLandsInThePaddingIsRejected(int short_) throws IOException {
        // The writer pads the JSON with spaces to a multiple of 8; a length 1-7 bytes short still parsed (only
        // spaces were cut) and loaded every tensor shifted by that many bytes.
        Path f = dir.resolve("model.safetensors");
        byte[] bytes;
        long n;
        String value = "";
        do { // a metadata value that makes the writer pad with 7 spaces, so every shortfall lands in the padding
            value += "v";
            SafeTensors.write(f, java.util.Map.of("w", io.jgrad.tensor.NDArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)), java.util.Map.of("k", value));
            bytes = Files.readAllBytes(f);
            n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        } while (!new String(bytes, 8, (int) n, StandardCharsets.UTF_8).endsWith("}" + " ".repeat(7)));
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n - short_);
        fails(bytes, "the tensors end at byte 24 of the data section, but it holds " + (24 + short_) + " bytes");
    }

    @Test
    void theHeaderMustStartWithABrace() {
        fails(file(" " + GOOD, 24), "bad JSON header: it must start with '{'", "found ' {\"x\":{\"'");
        fails(file("\n" + GOOD, 24), "bad JSON header: it must start with '{'");
    }

    // ---- __metadata__ -----------------------------------------------------------------------------------

    @Test
    void metadataValuesMustBeStrings() {
        fails(file("{\"__metadata__\":{\"op\":\"add\",\"steps\":3}}", 0), "__metadata__ values must be strings", "'steps' is number 3");
        fails(file("{\"__metadata__\":{\"k\":null}}", 0), "'k' is null");
        fails(file("{\"__metadata__\":[\"op\"]}", 0), "__metadata__ must be an object of strings", "found array");
    }
}
