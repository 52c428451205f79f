package io.jgrad.tensor.io;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.HostStorage;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format:
 *
 * <ul>
 *   <li>8 bytes: little-endian unsigned 64-bit length {@code N} of the header;</li>
 *   <li>{@code N} bytes: a UTF-8 JSON object. Every key but {@code __metadata__} names a tensor:
 *       {@code {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}}, offsets counted from the
 *       end of the header; {@code __metadata__} maps strings to strings;</li>
 *   <li>the tensor bytes: little-endian, row-major, contiguous.</li>
 * </ul>
 *
 * <p>Supported dtypes: {@code F32} ({@link DType#FLOAT32}), {@code F64} ({@link DType#FLOAT64}) and
 * {@code I64} ({@link DType#INT64}).
 *
 * <p>Reading checks everything before it allocates anything sized by the file, and rejects what the
 * reference implementation (huggingface/safetensors, {@code read_metadata} and {@code Metadata::validate})
 * rejects: a header length beyond the file or beyond {@value #MAX_HEADER_BYTES} bytes, a header that is not
 * UTF-8, does not start with <code>{</code> or is not a JSON object, an entry without {@code dtype},
 * {@code shape} or {@code data_offsets} (or with one of the wrong JSON type), an unknown dtype, a negative or
 * non-integer dim, offsets whose byte count does not match the shape, and {@code __metadata__} values that
 * are not strings. The tensors' offsets, in order, must tile the data section exactly: the first begins at
 * 0, each begins where the one before ended, and the last ends at the end of the file. So overlapping
 * tensors, unused bytes between them and bytes after the last are rejected; this is what catches a header
 * length a few bytes short, which would otherwise still parse (cutting only padding spaces) and load every
 * tensor shifted. Each problem is a {@link SafeTensorsException} whose message names the file and the
 * problem. Unknown keys inside a tensor entry are ignored, as in the reference library.
 *
 * <p>Writing is atomic: the file is written beside the target under a temporary name, forced to disk,
 * then renamed over the target, so a reader sees the old file or the new one, never a part.
 */
public final class SafeTensors {

    /**
     * Largest header read or written: a bound on what a hostile length can make us allocate. The reference
     * implementation's {@code MAX_HEADER_SIZE}.
     */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA = "__metadata__";
    private static final String SUPPORTED = "F32, F64, I64";
    /** Tensor bytes move through a buffer of this size; a multiple of every element size. */
    private static final int CHUNK_BYTES = 1 << 16;

    private SafeTensors() {
    }

    // =================================================================================================
    // Reading
    // =================================================================================================

    /** Reads every tensor and the metadata of the file at {@code path}. */
    public static SafeTensorsFile read(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(new ChannelSource(channel), path.toString());
        }
    }

    /** Reads a safetensors file held in memory; {@code sourceName} names it in messages. */
    public static SafeTensorsFile read(byte[] bytes, String sourceName) throws SafeTensorsException {
        try {
            return read(new ArraySource(bytes), sourceName);
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new AssertionError("reading from memory does no I/O", e);
        }
    }

    /** One tensor as its header entry describes it, checked against the data section. */
    private record Entry(String name, DType dtype, int[] shape, int numel, long begin, long end) {
    }

    private static SafeTensorsFile read(Source in, String source) throws IOException {
        long size = in.size();
        if (size < 8) {
            throw new SafeTensorsException(source, "file is " + size + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        in.readFully(0, prefix, source);
        long n = prefix.getLong(0); // unsigned in the format: a negative long is a length of 2^63 or more
        long afterPrefix = size - 8;
        if (n < 0 || n > afterPrefix) {
            throw new SafeTensorsException(source, "bad header length " + Long.toUnsignedString(n) + ": the file has only " + afterPrefix
                    + " bytes after the 8-byte length");
        }
        if (n > MAX_HEADER_BYTES) {
            throw new SafeTensorsException(source, "bad header length " + n + ": more than the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
        in.readFully(8, headerBytes, source);
        headerBytes.flip();
        Map<?, ?> header = parseHeader(headerBytes, source);

        long dataStart = 8 + n;
        long dataSize = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String key = (String) e.getKey(); // Json.parse gives objects with String keys
            if (key.equals(METADATA)) {
                metadata = metadata(e.getValue(), source);
            } else {
                entries.add(entry(key, e.getValue(), dataSize, source));
            }
        }
        checkCoverage(entries, dataSize, source);

        Map<String, NDArray> tensors = new LinkedHashMap<>();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Entry e : entries) tensors.put(e.name(), load(in, dataStart, e, chunk, source));
        return new SafeTensorsFile(source, tensors, metadata);
    }

    private static Map<?, ?> parseHeader(ByteBuffer bytes, String source) throws SafeTensorsException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer text = CharBuffer.allocate(bytes.remaining()); // UTF-8 never gives more chars than bytes
        CoderResult result = decoder.decode(bytes, text, true);
        if (!result.isError()) result = decoder.flush(text);
        if (result.isError()) {
            throw new SafeTensorsException(source, "bad JSON header: not valid UTF-8 at header byte " + bytes.position());
        }
        text.flip();
        Object parsed;
        try {
            parsed = Json.parse(text.toString());
        } catch (JsonException e) {
            throw new SafeTensorsException(source, "bad JSON header: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> header)) {
            throw new SafeTensorsException(source, "bad JSON header: expected an object, found " + describe(parsed));
        }
        if (text.charAt(0) != '{') { // an object after whitespace: valid JSON, but the reference implementation refuses it
            throw new SafeTensorsException(source, "bad JSON header: it must start with '{' (as the reference implementation requires), found '"
                    + text.subSequence(0, Math.min(8, text.length())) + "'");
        }
        return header;
    }

    private static Map<String, String> metadata(Object value, String source) throws SafeTensorsException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new SafeTensorsException(source, METADATA + " must be an object of strings, found " + describe(value));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new SafeTensorsException(source, METADATA + " values must be strings, but '" + e.getKey() + "' is " + describe(e.getValue()));
            }
            metadata.put((String) e.getKey(), s);
        }
        return metadata;
    }

    private static Entry entry(String name, Object value, long dataSize, String source) throws SafeTensorsException {
        String where = "tensor '" + name + "': ";
        if (!(value instanceof Map<?, ?> info)) {
            throw new SafeTensorsException(source, where + "entry must be an object with dtype, shape and data_offsets, found " + describe(value));
        }
        Object dtypeValue = field(info, "dtype", where, source);
        Object shapeValue = field(info, "shape", where, source);
        Object offsetsValue = field(info, "data_offsets", where, source);

        if (!(dtypeValue instanceof String code)) {
            throw new SafeTensorsException(source, where + "\"dtype\" must be a string, found " + describe(dtypeValue));
        }
        DType dtype = dtypeOf(code);
        if (dtype == null) {
            throw new SafeTensorsException(source, where + "unknown or unsupported dtype \"" + code + "\" (supported: " + SUPPORTED + ")");
        }

        if (!(shapeValue instanceof List<?> dims)) {
            throw new SafeTensorsException(source, where + "\"shape\" must be an array of dims, found " + describe(shapeValue));
        }
        int[] shape = new int[dims.size()];
        long numel = 1;
        for (int d = 0; d < shape.length; d++) {
            Object dim = dims.get(d);
            if (!isInteger(dim)) {
                throw new SafeTensorsException(source, where + "non-integer dim " + describe(dim) + " in shape " + text(dims));
            }
            if (dim instanceof Long l ? l < 0 : ((BigInteger) dim).signum() < 0) {
                throw new SafeTensorsException(source, where + "negative dim " + dim + " in shape " + text(dims));
            }
            if (!(dim instanceof Long l) || l > Integer.MAX_VALUE) {
                throw new SafeTensorsException(source, where + "dim " + dim + " in shape " + text(dims) + " is larger than " + Integer.MAX_VALUE
                        + ", the most jgrad supports");
            }
            shape[d] = (int) (long) l;
            numel *= l;
            if (numel > Integer.MAX_VALUE) {
                throw new SafeTensorsException(source, where + "shape " + text(dims) + " has more than " + Integer.MAX_VALUE + " elements, the most jgrad supports");
            }
        }

        if (!(offsetsValue instanceof List<?> offsets) || offsets.size() != 2 || !isInteger(offsets.get(0)) || !isInteger(offsets.get(1))) {
            throw new SafeTensorsException(source, where + "\"data_offsets\" must be [begin, end] with two integers, found " + describe(offsetsValue));
        }
        String offsetsText = text(offsets);
        if (!(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end) || begin < 0 || begin > end || end > dataSize) {
            throw new SafeTensorsException(source, where + "offsets out of range: data_offsets " + offsetsText + " must satisfy 0 <= begin <= end <= "
                    + dataSize + ", the size of the data section");
        }
        long expected = numel * dtype.byteSize();
        if (end - begin != expected) {
            throw new SafeTensorsException(source, where + "data_offsets " + offsetsText + " hold " + (end - begin) + " bytes, but " + code + " shape "
                    + text(dims) + " needs " + expected + " bytes (" + numel + " elements of " + dtype.byteSize() + " bytes)");
        }
        return new Entry(name, dtype, shape, (int) numel, begin, end);
    }

    private static Object field(Map<?, ?> info, String key, String where, String source) throws SafeTensorsException {
        if (!info.containsKey(key)) {
            throw new SafeTensorsException(source, where + "missing \"" + key + "\" (an entry needs dtype, shape and data_offsets)");
        }
        return info.get(key);
    }

    private static boolean isInteger(Object o) {
        return o instanceof Long || o instanceof BigInteger;
    }

    /**
     * The tensors, ordered by offsets, must tile the data section exactly (the reference implementation's
     * {@code validate}): no overlap (each tensor owns its bytes), no unused bytes between them, and the last
     * ends at the end of the file. Empty tensors own no bytes and may sit at any boundary.
     */
    private static void checkCoverage(List<Entry> entries, long dataSize, String source) throws SafeTensorsException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        Entry prev = null;
        for (Entry cur : sorted) {
            if (cur.begin() < at) {
                throw new SafeTensorsException(source, "tensors '" + prev.name() + "' (data_offsets [" + prev.begin() + "," + prev.end() + "]) and '"
                        + cur.name() + "' ([" + cur.begin() + "," + cur.end() + "]) overlap; each tensor must have bytes of its own");
            }
            if (cur.begin() > at) {
                throw new SafeTensorsException(source, "bytes " + at + ".." + cur.begin() + " of the data section belong to no tensor (tensor '"
                        + cur.name() + "' begins at " + cur.begin() + "); the tensors must cover the data section exactly");
            }
            at = cur.end();
            if (cur.end() > cur.begin()) prev = cur;
        }
        if (at != dataSize) {
            throw new SafeTensorsException(source, "the tensors end at byte " + at + " of the data section, but it holds " + dataSize
                    + " bytes: is the header length (the first 8 bytes) wrong, or were bytes appended?");
        }
    }

    private static NDArray load(Source in, long dataStart, Entry e, ByteBuffer chunk, String source) throws IOException {
        HostStorage host = HostStorage.allocate(e.dtype(), e.numel());
        int elementBytes = e.dtype().byteSize();
        int perChunk = chunk.capacity() / elementBytes;
        long position = dataStart + e.begin();
        for (int i = 0; i < e.numel(); ) {
            int count = Math.min(perChunk, e.numel() - i);
            chunk.clear().limit(count * elementBytes);
            in.readFully(position, chunk, source);
            chunk.flip();
            switch (e.dtype()) {
                case FLOAT32 -> chunk.asFloatBuffer().get(((HostStorage.Float32) host).data, i, count);
                case FLOAT64 -> chunk.asDoubleBuffer().get(((HostStorage.Float64) host).data, i, count);
                case INT64 -> chunk.asLongBuffer().get(((HostStorage.Int64) host).data, i, count);
            }
            i += count;
            position += (long) count * elementBytes;
        }
        return NDArray.fromHost(host, e.shape());
    }

    /** Positional reads from a file or from memory, so both take the same checks. */
    private interface Source {
        long size() throws IOException;

        /** Fills {@code dst} from its position to its limit with the bytes at {@code position}. */
        void readFully(long position, ByteBuffer dst, String source) throws IOException;
    }

    private record ChannelSource(FileChannel channel) implements Source {
        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void readFully(long position, ByteBuffer dst, String source) throws IOException {
            while (dst.hasRemaining()) {
                int read = channel.read(dst, position);
                if (read < 0) {
                    throw new SafeTensorsException(source, "file ended at byte " + position + " while reading; did it change during the read?");
                }
                position += read;
            }
        }
    }

    private record ArraySource(byte[] bytes) implements Source {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void readFully(long position, ByteBuffer dst, String source) {
            dst.put(bytes, (int) position, dst.remaining()); // callers checked the range against size()
        }
    }

    // =================================================================================================
    // Writing
    // =================================================================================================

    /**
     * Writes {@code tensors} (in the map's order, each made contiguous; arrays on other devices are copied to
     * the host one at a time) and {@code metadata} (may be null or empty) to {@code path}, atomically: the
     * bytes go to a temporary file in the same directory, which is forced to disk and then renamed over
     * {@code path}, and the directory is forced where the platform allows it. If anything fails, the
     * temporary file is deleted and a previous file at {@code path} is left as it was. The new file gets the
     * default permissions for new files, not those of the file it replaces.
     *
     * @throws IllegalArgumentException for an empty tensor name, the reserved name {@code __metadata__}, a
     *     null array, a null metadata key or value, or a header beyond {@value #MAX_HEADER_BYTES} bytes
     */
    public static void write(Path path, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        Layout layout = layout(tensors, metadata);
        AtomicFiles.write(path, channel -> writeTo(channel, layout));
    }

    /** Writes the same bytes as {@link #write(Path, Map, Map)} to {@code out}, which is left open. */
    public static void write(OutputStream out, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        writeTo(Channels.newChannel(out), layout(tensors, metadata));
    }

    /** The padded header bytes and the tensors in file order. */
    private record Layout(byte[] header, List<NDArray> arrays) {
    }

    private static Layout layout(Map<String, NDArray> tensors, Map<String, String> metadata) {
        if (tensors == null) throw new IllegalArgumentException("SafeTensors.write: the tensor map is null");
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            Map<String, Object> meta = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("SafeTensors.write: metadata keys and values must not be null, got " + e.getKey() + " = " + e.getValue());
                }
                meta.put(e.getKey(), e.getValue());
            }
            header.put(METADATA, meta); // first, as the reference library writes it
        }
        List<NDArray> arrays = new ArrayList<>();
        long at = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String name = e.getKey();
            NDArray a = e.getValue();
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("SafeTensors.write: tensor names must be non-empty, got " + (name == null ? "null" : "\"\""));
            if (name.equals(METADATA)) throw new IllegalArgumentException("SafeTensors.write: \"" + METADATA + "\" is reserved for the metadata and cannot name a tensor");
            if (a == null) throw new IllegalArgumentException("SafeTensors.write: tensor '" + name + "' is null");
            long bytes = (long) a.numel() * a.dtype().byteSize();
            List<Integer> shape = new ArrayList<>();
            for (int s : a.shape()) shape.add(s);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", code(a.dtype()));
            info.put("shape", shape);
            info.put("data_offsets", List.of(at, at + bytes));
            header.put(name, info);
            arrays.add(a);
            at += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // spaces up to a multiple of 8, as the reference library pads
        if (padded > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("SafeTensors.write: header of " + padded + " bytes is larger than the limit of " + MAX_HEADER_BYTES);
        }
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        return new Layout(headerBytes, arrays);
    }

    private static void writeTo(WritableByteChannel out, Layout layout) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(layout.header().length);
        writeFully(out, prefix.flip());
        writeFully(out, ByteBuffer.wrap(layout.header()));
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (NDArray array : layout.arrays()) {
            NDArray c = array.to(Device.CPU).contiguous();
            HostStorage host = c.storage() instanceof HostStorage h ? h : c.backend().toHost(c.storage());
            int elementBytes = c.dtype().byteSize();
            int perChunk = CHUNK_BYTES / elementBytes;
            int numel = c.numel();
            for (int i = 0; i < numel; ) {
                int count = Math.min(perChunk, numel - i);
                int from = c.offset() + i;
                chunk.clear();
                switch (c.dtype()) {
                    case FLOAT32 -> chunk.asFloatBuffer().put(((HostStorage.Float32) host).data, from, count);
                    case FLOAT64 -> chunk.asDoubleBuffer().put(((HostStorage.Float64) host).data, from, count);
                    case INT64 -> chunk.asLongBuffer().put(((HostStorage.Int64) host).data, from, count);
                }
                chunk.limit(count * elementBytes);
                writeFully(out, chunk);
                i += count;
            }
        }
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) out.write(bytes);
    }

    // =================================================================================================
    // Dtype codes and messages
    // =================================================================================================

    private static String code(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT64 -> "I64";
        };
    }

    /** The dtype for a safetensors code, or null when jgrad has none. */
    private static DType dtypeOf(String code) {
        return switch (code) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "I64" -> DType.INT64;
            default -> null;
        };
    }

    /** A JSON value for a message: its kind and its text, cut short. */
    private static String describe(Object value) {
        if (value == null) return "null";
        String kind = value instanceof String ? "string" : value instanceof Boolean ? "boolean" : value instanceof Number ? "number"
                : value instanceof Map ? "object" : "array";
        return kind + " " + text(value);
    }

    /** A JSON value's text for a message, cut short. */
    private static String text(Object value) {
        String text = Json.write(value);
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}
