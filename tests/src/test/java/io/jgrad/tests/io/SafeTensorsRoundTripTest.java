package io.jgrad.tests.io;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.io.SafeTensors;
import io.jgrad.tensor.io.SafeTensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsRoundTripTest {

    @TempDir
    Path dir;

    private static SafeTensorsFile roundTrip(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        SafeTensors.write(file, tensors, metadata);
        return SafeTensors.read(file);
    }

    private static void assertSameArray(NDArray expected, NDArray actual) {
        assertEquals(expected.dtype(), actual.dtype());
        assertArrayEquals(expected.shape(), actual.shape());
        switch (expected.dtype()) {
            case FLOAT32 -> {
                float[] e = expected.toFloatArray(), a = actual.toFloatArray();
                for (int i = 0; i < e.length; i++) assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]), "element " + i);
            }
            case FLOAT64 -> {
                double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
                for (int i = 0; i < e.length; i++) assertEquals(Double.doubleToRawLongBits(e[i]), Double.doubleToRawLongBits(a[i]), "element " + i);
            }
            case INT64 -> assertArrayEquals(expected.toLongArray(), actual.toLongArray());
        }
    }

    @Test
    void allDtypesWithMetadataKeepValuesBitsAndOrder() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("weights", NDArray.of(new float[] {1.5f, -0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -3e38f}, 2, 3));
        tensors.put("grad.x", NDArray.of(new double[] {Math.PI, -0.0, Double.NaN, Double.MIN_VALUE}, 4));
        tensors.put("indices", NDArray.of(new long[] {Long.MIN_VALUE, -1, 0, (1L << 53) + 1, Long.MAX_VALUE, 7}, 3, 1, 2));
        tensors.put("a", NDArray.of(new float[] {1f}, 1));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("op", "matmul");
        metadata.put("attrs", "{\"dim\": [0, 1], \"note\": \"quotes \\\" and ünïcödé\"}");
        metadata.put("empty", "");

        SafeTensorsFile f = roundTrip(dir.resolve("all.safetensors"), tensors, metadata);

        assertEquals(List.of("weights", "grad.x", "indices", "a"), new ArrayList<>(f.tensors().keySet()));
        for (String name : tensors.keySet()) assertSameArray(tensors.get(name), f.get(name));
        assertEquals(metadata, f.metadata());
        assertEquals(new ArrayList<>(metadata.keySet()), new ArrayList<>(f.metadata().keySet()));
        assertEquals(dir.resolve("all.safetensors").toString(), f.source());
    }

    @Test
    void zeroDimensionalAndEmptyTensors() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("scalar32", NDArray.scalar(DType.FLOAT32, 2.5));
        tensors.put("scalar64", NDArray.scalar(DType.FLOAT64, -1e-300));
        tensors.put("scalarI", NDArray.of(new long[] {-42}));
        tensors.put("empty", NDArray.zeros(DType.FLOAT32, 0));
        tensors.put("emptyMiddle", NDArray.zeros(DType.FLOAT64, 2, 0, 3));
        tensors.put("emptyI", NDArray.zeros(DType.INT64, 0, 5));
        tensors.put("after", NDArray.of(new double[] {1, 2}, 2));

        SafeTensorsFile f = roundTrip(dir.resolve("edge.safetensors"), tensors, null);

        assertEquals(0, f.get("scalar32").rank());
        assertEquals(2.5, f.get("scalar32").item());
        assertEquals(-1e-300, f.get("scalar64").item());
        assertEquals(-42, f.get("scalarI").getLong());
        for (String name : tensors.keySet()) assertSameArray(tensors.get(name), f.get(name));
        assertTrue(f.metadata().isEmpty());
    }

    @Test
    void nonContiguousAndOffsetViewsAreWrittenInLogicalOrder() throws IOException {
        NDArray base = NDArray.arange(DType.FLOAT32, 0, 12, 1).reshape(3, 4);
        NDArray transposed = base.t();                       // [4, 3], strides [1, 4]
        NDArray rows = base.narrow(0, 1, 2);                 // contiguous, storage offset 4
        NDArray strided = base.slice(1, 0, 4, 2);            // every other column
        NDArray longs = NDArray.arange(6).reshape(2, 3).permute(1, 0);
        assertFalse(transposed.isContiguous());
        assertEquals(4, rows.offset());

        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("transposed", transposed);
        tensors.put("rows", rows);
        tensors.put("strided", strided);
        tensors.put("longs", longs);
        SafeTensorsFile f = roundTrip(dir.resolve("views.safetensors"), tensors, Map.of());

        assertArrayEquals(new int[] {4, 3}, f.get("transposed").shape());
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, f.get("transposed").toFloatArray());
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 10, 11}, f.get("rows").toFloatArray());
        assertArrayEquals(new float[] {0, 2, 4, 6, 8, 10}, f.get("strided").toFloatArray());
        assertArrayEquals(new long[] {0, 3, 1, 4, 2, 5}, f.get("longs").toLongArray());
        assertTrue(f.get("transposed").isContiguous());
    }

    @Test
    void tensorsLargerThanOneBufferRoundTrip() throws IOException {
        int n = 100_003; // 400 KB of float32, 800 KB of float64: several 64 KiB chunks and a ragged tail
        float[] f = new float[n];
        double[] d = new double[n];
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            f[i] = i * 0.5f - 7;
            d[i] = Math.sin(i);
            l[i] = (long) i * i * 31 - 5;
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("f", NDArray.of(f, n));
        tensors.put("d", NDArray.of(d, n));
        tensors.put("dT", NDArray.of(Arrays.copyOf(d, 100_000), 2, 50_000).t()); // non-contiguous, [50000, 2]
        tensors.put("l", NDArray.of(l, n));
        SafeTensorsFile read = roundTrip(dir.resolve("big.safetensors"), tensors, null);
        for (String name : tensors.keySet()) assertSameArray(tensors.get(name), read.get(name));
    }

    @Test
    void fileLayoutMatchesTheFormat() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("b", NDArray.of(new float[] {1, 2, 3}, 3));
        tensors.put("a", NDArray.of(new long[] {9}, 1));
        Path file = dir.resolve("layout.safetensors");
        SafeTensors.write(file, tensors, Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(file);

        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertEquals("{\"__metadata__\":{\"k\":\"v\"},\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                + "\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[12,20]}}", header.stripTrailing());
        assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '));
        assertEquals(8 + n + 20, bytes.length);
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + n), 20).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1f, data.getFloat());
        assertEquals(2f, data.getFloat());
        assertEquals(3f, data.getFloat());
        assertEquals(9L, data.getLong());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, tensors, Map.of("k", "v"));
        assertArrayEquals(bytes, out.toByteArray(), "stream and file writers give the same bytes");
        assertSameArray(tensors.get("b"), SafeTensors.read(out.toByteArray(), "memory").get("b"));
    }

    @Test
    void writeRejectsBadNames() {
        Path file = dir.resolve("names.safetensors");
        NDArray a = NDArray.of(1f, 2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of("", a), null));
        assertTrue(e.getMessage().contains("non-empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of("__metadata__", a), null));
        assertTrue(e.getMessage().contains("reserved"), e.getMessage());
        Map<String, NDArray> withNull = new LinkedHashMap<>();
        withNull.put("x", null);
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, withNull, null));
        assertTrue(e.getMessage().contains("'x' is null"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void getNamesTheFileTheKeyAndWhatIsThere() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("x", NDArray.of(1f));
        tensors.put("y", NDArray.of(2f));
        Path file = dir.resolve("get.safetensors");
        SafeTensorsFile f = roundTrip(file, tensors, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.get("z"));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("'z'") && e.getMessage().contains("x, y"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> f.tensors().put("z", NDArray.of(3f)));
        assertThrows(UnsupportedOperationException.class, () -> f.metadata().put("k", "v"));
    }

    @Test
    void emptyFileHasNoTensors() throws IOException {
        SafeTensorsFile f = roundTrip(dir.resolve("none.safetensors"), Map.of(), null);
        assertTrue(f.tensors().isEmpty());
        assertEquals(16, Files.size(dir.resolve("none.safetensors"))); // 8-byte length + "{}" padded to 8
    }
}
