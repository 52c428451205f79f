package io.jgrad.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {

    @TempDir
    Path dir;

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 37);
        return b;
    }

    /** An IDX header: magic 0x0000 TT DD, then the dims. */
    private static byte[] header(int type, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (long d : dims) b.putInt((int) d);
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content);
        }
        return out.toByteArray();
    }

    /** Writes {@code content} plain or gzipped to a file with a name that says neither. */
    private Path file(String name, byte[] content, boolean gz) throws IOException {
        return Files.write(dir.resolve(name), gz ? gzip(content) : content);
    }

    private DataFileException malformed(byte[] content, boolean gz, String... expected) throws IOException {
        Path f = file("broken-" + gz, content, gz);
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), "message names the file: " + e.getMessage());
        for (String s : expected) assertTrue(e.getMessage().contains(s), "message says '" + s + "': " + e.getMessage());
        return e;
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void roundTripsImagesAndLabels(boolean gz) throws IOException {
        byte[] pixels = bytes(3 * 4 * 5);
        Path images = dir.resolve("images.idx"), labels = dir.resolve("labels.idx"); // names never say gz
        IdxWriter.write(images, new int[] {3, 4, 5}, pixels, gz);
        IdxWriter.write(labels, new int[] {3}, new byte[] {7, 0, (byte) 200}, gz);
        assertEquals(gz, Files.readAllBytes(images)[0] == (byte) 0x1F, "written gzipped or not as asked");

        IdxData data = IdxReader.read(images);
        assertArrayEquals(new int[] {3, 4, 5}, data.dims());
        assertArrayEquals(pixels, data.data());

        TensorDataset ds = IdxReader.dataset(images, labels);
        assertEquals(3, ds.size());
        assertArrayEquals(new int[] {1, 4, 5}, ds.exampleShape());
        Example second = ds.get(1);
        assertEquals(0, second.label());
        assertEquals(200, ds.get(2).label(), "labels are unsigned bytes");
        float[] x = second.input().toFloatArray();
        for (int i = 0; i < 20; i++) assertEquals((pixels[20 + i] & 0xFF) / 255f, x[i], 0f);
    }

    @Test
    void readsStreams() throws IOException {
        byte[] content = concat(header(0x08, 2, 2), bytes(4));
        for (byte[] stream : new byte[][] {content, gzip(content)}) {
            IdxData d = IdxReader.read(new ByteArrayInputStream(stream), "test stream");
            assertArrayEquals(bytes(4), d.data());
        }
    }

    @Test
    void emptyDimensionIsValid() throws IOException {
        IdxData d = IdxReader.read(file("empty", header(0x08, 0, 28, 28), false));
        assertEquals(0, d.data().length);
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void wrongMagic(boolean gz) throws IOException {
        malformed(concat(new byte[] {'P', 'K', 3, 4}, bytes(20)), gz, "wrong magic number 0x504B0304", "not an IDX file; it looks like a zip archive");
    }

    @Test
    void wrongMagicSaysWhatTheFileLooksLike() throws IOException {
        // A JPEG used to be called only "not an IDX file".
        malformed(concat(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0}, bytes(20)), false, "not an IDX file; it looks like a JPEG image");
        malformed(concat(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, bytes(20)), false, "not an IDX file; it looks like a PNG image");
        malformed(concat(new byte[] {0x1F, (byte) 0x8B, 8, 0}, bytes(20)), true, "not an IDX file; it looks like gzip data (compressed twice?)");
        malformed("<!DOCTYPE html>".getBytes(java.nio.charset.StandardCharsets.US_ASCII), false, "it looks like HTML or XML text");
        malformed(new byte[] {1, 2, 3, 4, 5}, false, "not an IDX file (IDX files start");
    }

    @Test
    void emptyDatasetIsAnErrorNamingTheFile() throws IOException {
        // An empty dataset used to surface as "Linear: feature counts must be positive, got in=128, out=0".
        Path images = dir.resolve("imgs"), labels = dir.resolve("labels");
        IdxWriter.write(images, new int[] {0, 28, 28}, new byte[0], false);
        IdxWriter.write(labels, new int[] {0}, new byte[0], false);
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.dataset(images, labels));
        assertEquals(images + ": the dataset is empty: the file holds 0 x 28 x 28 images", e.getMessage());
    }

    @Test
    void labelsAreCheckedAgainstTheClassCount() throws IOException {
        // A label of 200 in a 10-class dataset built a 201-class model.
        Path images = dir.resolve("imgs"), labels = dir.resolve("labels");
        IdxWriter.write(images, new int[] {3, 2, 2}, bytes(12), false);
        IdxWriter.write(labels, new int[] {3}, new byte[] {9, 0, (byte) 200}, false);
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.dataset(images, labels, 10));
        assertEquals(labels + ": label 200 of example 2 is not a class of this dataset (0..9)", e.getMessage());
        assertEquals(201, IdxReader.dataset(images, labels, 201).numClasses());
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void unsupportedTypeCode(boolean gz) throws IOException {
        malformed(concat(header(0x0D, 2), new byte[8]), gz, "unsupported IDX type code 0x0D", "32-bit float");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void truncatedData(boolean gz) throws IOException {
        malformed(concat(header(0x08, 10, 28, 28), bytes(1000)), gz, "truncated", "10 x 28 x 28 = 7840 data bytes", "only 1000");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void truncatedHeader(boolean gz) throws IOException {
        malformed(Arrays.copyOf(header(0x08, 10, 28, 28), 9), gz, "truncated header", "3 dimensions");
        malformed(new byte[] {0, 0}, gz, "truncated", "2 bytes");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void trailingGarbage(boolean gz) throws IOException {
        malformed(concat(header(0x08, 2, 2), bytes(7)), gz, "trailing garbage", "after the 4 data bytes", gz ? "more bytes" : "3 bytes");
    }

    @Test
    void zeroDimensions() throws IOException {
        malformed(header(0x08), false, "0 dimensions");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void headerClaimingMoreThan2To31ElementsIsRejectedQuickly(boolean gz) {
        // 65536 x 65536 = 2^32 elements: the product, not any one dimension, is absurd.
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            malformed(concat(header(0x08, 65536, 65536), bytes(100)), gz, "absurd dimensions 65536 x 65536", "more than 2147483639 elements");
            malformed(concat(header(0x08, 0xFFFFFFFFL, 28, 28), bytes(100)), gz, "absurd dimensions", "4294967295");
            // Dims whose product overflows a long if multiplied naively.
            malformed(concat(header(0x08, 0x7FFFFFF0L, 0x7FFFFFF0L, 0x7FFFFFF0L), bytes(4)), gz, "absurd dimensions");
        });
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void largeButPossibleHeaderOverTinyDataIsTruncatedWithoutAllocatingIt(boolean gz) {
        // 2^30 bytes declared, 100 present: reading must stop at the data, not reserve a gigabyte first.
        byte[] content = concat(header(0x08, 1 << 20, 32, 32), bytes(100));
        boolean fitsHeap = Runtime.getRuntime().maxMemory() >= 1L << 30;
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            if (fitsHeap) {
                malformed(content, gz, "truncated", "only 100");
            } else { // a JVM with less than 1 GiB of heap rejects the header before reading
                malformed(content, gz, "maximum heap");
            }
        });
    }

    @Test
    void corruptAndTruncatedGzip() throws IOException {
        byte[] gz = gzip(concat(header(0x08, 100, 100), bytes(10000)));
        Path cut = Files.write(dir.resolve("cut"), Arrays.copyOf(gz, gz.length / 2));
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(cut));
        assertTrue(e.getMessage().startsWith(cut + ": truncated"), e.getMessage());

        byte[] flipped = gz.clone();
        for (int i = 20; i < 40; i++) flipped[i] ^= (byte) 0x5A;
        Path bad = Files.write(dir.resolve("bad"), flipped);
        e = assertThrows(DataFileException.class, () -> IdxReader.read(bad));
        assertTrue(e.getMessage().startsWith(bad + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt gzip data"), e.getMessage());
    }

    @Test
    void pairsOfImagesAndLabelsAreChecked() throws IOException {
        Path images = dir.resolve("imgs"), three = dir.resolve("three"), four = dir.resolve("four");
        IdxWriter.write(images, new int[] {3, 2, 2}, bytes(12), false);
        IdxWriter.write(three, new int[] {3}, bytes(3), false);
        IdxWriter.write(four, new int[] {4}, bytes(4), true);

        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.dataset(images, four));
        assertEquals(images + ": holds 3 images but " + four + " holds 4 labels", e.getMessage());

        e = assertThrows(DataFileException.class, () -> IdxReader.dataset(three, images));
        assertTrue(e.getMessage().startsWith(three + ": expected images"), e.getMessage());
        assertTrue(e.getMessage().contains("is it a labels file?"), e.getMessage());
    }
}
