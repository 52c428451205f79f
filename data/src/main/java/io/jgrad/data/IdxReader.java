package io.jgrad.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, plain or gzipped (recognised by the gzip magic
 * bytes {@code 1f 8b}, not by the name). The format: a magic number {@code 0x0000TTDD} (type code
 * {@code TT}, {@code DD} dimensions), {@code DD} big-endian 32-bit sizes, then the elements in row-major
 * order. Only type {@code 0x08}, unsigned bytes, is read: that is what MNIST-style datasets use.
 *
 * <p>A malformed file fails with a {@link DataFileException} naming the file and the problem. Sizes are
 * checked before memory is taken: a plain file's length against its header, and a gzipped stream, whose
 * length is unknown up front, is read in growing chunks capped at what the header declares, so a lying
 * header never costs more memory than the data actually present.
 */
public final class IdxReader {

    /** The most elements one Java array can hold on common JVMs. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final int UNSIGNED_BYTE = 0x08;
    private static final int FIRST_CHUNK = 1 << 20;

    private IdxReader() {
    }

    public static IdxData read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), Files.size(file));
        }
    }

    /** Reads a whole stream (a resource, say); {@code source} names it in errors. Does not close {@code in}. */
    public static IdxData read(InputStream in, String source) throws IOException {
        return read(in, source, -1);
    }

    /** The MNIST-style pair: images {@code [N, rows, cols]} and labels {@code [N]}, as a dataset {@code [N, 1, rows, cols]}. */
    public static TensorDataset dataset(Path images, Path labels) throws IOException {
        return dataset(read(images), read(labels));
    }

    /** As {@link #dataset(Path, Path)}, every label checked to be below {@code numClasses}. */
    public static TensorDataset dataset(Path images, Path labels, int numClasses) throws IOException {
        return dataset(read(images), read(labels), numClasses);
    }

    /** As {@link #dataset(IdxData, IdxData)}, every label checked to be below {@code numClasses}. */
    public static TensorDataset dataset(IdxData images, IdxData labels, int numClasses) throws DataFileException {
        TensorDataset ds = dataset(images, labels);
        byte[] y = labels.data();
        for (int i = 0; i < y.length; i++) {
            if ((y[i] & 0xFF) >= numClasses) {
                throw new DataFileException(labels.source(), "label " + (y[i] & 0xFF) + " of example " + i + " is not a class of this dataset (0.."
                        + (numClasses - 1) + ")");
            }
        }
        return ds;
    }

    /** Images as float32 pixel / 255 in {@code [N, 1, rows, cols]}, labels as int64; an empty pair is an error. */
    public static TensorDataset dataset(IdxData images, IdxData labels) throws DataFileException {
        int[] id = images.dims(), ld = labels.dims();
        if (id.length != 3) {
            throw new DataFileException(images.source(), "expected images [count, rows, columns] but the file has " + id.length
                    + " dimension(s) (" + IdxData.describe(id) + ")" + (id.length == 1 ? "; is it a labels file?" : ""));
        }
        if (ld.length != 1) {
            throw new DataFileException(labels.source(), "expected labels [count] but the file has " + ld.length
                    + " dimensions (" + IdxData.describe(ld) + ")" + (ld.length == 3 ? "; is it an images file?" : ""));
        }
        if (id[0] != ld[0]) {
            throw new DataFileException(images.source(), "holds " + id[0] + " images but " + labels.source() + " holds " + ld[0] + " labels");
        }
        if (id[0] == 0 || id[1] == 0 || id[2] == 0) {
            throw new DataFileException(images.source(), "the dataset is empty: the file holds " + IdxData.describe(id) + " images");
        }
        long[] y = new long[ld[0]];
        for (int i = 0; i < y.length; i++) y[i] = labels.data()[i] & 0xFF;
        return new TensorDataset(pixels(images), y, new int[] {id[0], 1, id[1], id[2]});
    }

    /** The images of an IDX image file as float32 pixel / 255 in {@code [N, 1, rows, cols]}. */
    public static io.jgrad.tensor.NDArray images(Path file) throws IOException {
        IdxData images = read(file);
        int[] id = images.dims();
        if (id.length != 3) {
            throw new DataFileException(images.source(), "expected images [count, rows, columns] but the file has " + id.length
                    + " dimension(s) (" + IdxData.describe(id) + ")");
        }
        return io.jgrad.tensor.NDArray.of(pixels(images), id[0], 1, id[1], id[2]);
    }

    private static float[] pixels(IdxData images) {
        byte[] pixels = images.data();
        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) x[i] = (pixels[i] & 0xFF) / 255f;
        return x;
    }

    /** {@code plainSize}: the length of the file when known (a plain file), else -1. */
    private static IdxData read(InputStream raw, String source, long plainSize) throws IOException {
        InputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        boolean gzip = in.read() == 0x1F && in.read() == 0x8B;
        in.reset();
        if (!gzip) return parse(in, source, plainSize);
        try {
            return parse(new GZIPInputStream(in, 1 << 16), source, -1);
        } catch (EOFException e) { // from the inflater: the compressed stream stops early
            throw new DataFileException(source, "truncated gzip data (" + e.getMessage() + ")", e);
        } catch (ZipException e) {
            throw new DataFileException(source, "corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static IdxData parse(InputStream in, String source, long plainSize) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new DataFileException(source, "truncated: " + magic.length + " bytes, shorter than the 4-byte IDX magic number");
        }
        int type = magic[2] & 0xFF, rank = magic[3] & 0xFF;
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DataFileException(source, String.format("wrong magic number 0x%02X%02X%02X%02X: not an IDX file%s (IDX files start with"
                    + " two zero bytes, a type code and the number of dimensions, e.g. 0x00000803 for MNIST images)",
                    magic[0], magic[1], magic[2], magic[3], looksLike(magic)));
        }
        if (type != UNSIGNED_BYTE) {
            throw new DataFileException(source, String.format("unsupported IDX type code 0x%02X (%s); only 0x08, unsigned bytes, is read",
                    type, typeName(type)));
        }
        if (rank == 0) throw new DataFileException(source, "the IDX header declares 0 dimensions");
        int[] dims = readDims(in, source, rank);
        int count = checkedCount(source, dims);
        long headerBytes = 4 + 4L * rank;
        if (plainSize >= 0 && plainSize - headerBytes != count) { // a plain file: compare before allocating
            long present = plainSize - headerBytes;
            throw new DataFileException(source, present < count ? truncated(dims, count, present) : trailing(dims, count, present - count + " bytes"));
        }
        byte[] data = readExactly(in, count, source, dims);
        if (in.read() >= 0) throw new DataFileException(source, trailing(dims, count, "more bytes"));
        return new IdxData(source, dims, data);
    }

    private static int[] readDims(InputStream in, String source, int rank) throws IOException {
        byte[] b = in.readNBytes(4 * rank);
        if (b.length < 4 * rank) {
            throw new DataFileException(source, "truncated header: it declares " + rank + " dimensions but ends after " + b.length / 4);
        }
        int[] dims = new int[rank];
        for (int d = 0; d < rank; d++) {
            long size = (b[4 * d] & 0xFFL) << 24 | (b[4 * d + 1] & 0xFF) << 16 | (b[4 * d + 2] & 0xFF) << 8 | (b[4 * d + 3] & 0xFF);
            if (size > MAX_ELEMENTS) {
                throw new DataFileException(source, "absurd dimensions: dimension " + d + " has size " + size + ", more than a Java array can hold");
            }
            dims[d] = (int) size;
        }
        return dims;
    }

    /** The element count, or an error when it could not be held in one array or in this JVM's heap. */
    private static int checkedCount(String source, int[] dims) throws DataFileException {
        if (Arrays.stream(dims).anyMatch(d -> d == 0)) return 0;
        long n = 1;
        for (int d : dims) {
            n *= d; // no overflow: n <= MAX_ELEMENTS < 2^31 before, d < 2^31
            if (n > MAX_ELEMENTS) {
                throw new DataFileException(source, "absurd dimensions " + IdxData.describe(dims) + ": more than " + MAX_ELEMENTS
                        + " elements, the most a Java array can hold");
            }
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (n > heap) {
            throw new DataFileException(source, "dimensions " + IdxData.describe(dims) + " need " + n + " bytes, more than this JVM's maximum heap ("
                    + heap + " bytes; raise it with -Xmx)");
        }
        return (int) n;
    }

    /**
     * Exactly {@code count} bytes, in a buffer that grows (doubling, capped at {@code count}) only as data
     * arrives: for a stream of unknown length, memory follows what is really there.
     */
    private static byte[] readExactly(InputStream in, int count, String source, int[] dims) throws IOException {
        byte[] buf = new byte[Math.min(count, FIRST_CHUNK)];
        int n = 0;
        while (n < count) {
            if (n == buf.length) buf = Arrays.copyOf(buf, (int) Math.min(count, 2L * buf.length));
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) throw new DataFileException(source, truncated(dims, count, n));
            n += r;
        }
        return buf;
    }

    private static String truncated(int[] dims, int count, long present) {
        return "truncated: the header declares " + IdxData.describe(dims) + " = " + count + " data bytes but only " + present + " follow it";
    }

    private static String trailing(int[] dims, int count, String extra) {
        return "trailing garbage: " + extra + " after the " + count + " data bytes the header declares (" + IdxData.describe(dims) + ")";
    }

    /** What a file that is not IDX seems to be, from its first bytes: {@code "; it looks like a JPEG image"}, or "". */
    static String looksLike(byte[] head) {
        int b0 = head[0] & 0xFF, b1 = head[1] & 0xFF, b2 = head[2] & 0xFF, b3 = head[3] & 0xFF;
        String kind;
        if (b0 == 0xFF && b1 == 0xD8 && b2 == 0xFF) kind = "a JPEG image";
        else if (b0 == 0x89 && b1 == 'P' && b2 == 'N' && b3 == 'G') kind = "a PNG image";
        else if (b0 == 'G' && b1 == 'I' && b2 == 'F') kind = "a GIF image";
        else if (b0 == 0x1F && b1 == 0x8B) kind = "gzip data (compressed twice?)";
        else if (b0 == 'P' && b1 == 'K' && b2 == 3 && b3 == 4) kind = "a zip archive";
        else if (b0 == 'B' && b1 == 'Z' && b2 == 'h') kind = "bzip2 data";
        else if (b0 == 0xFD && b1 == '7' && b2 == 'z' && b3 == 'X') kind = "xz data";
        else if (b0 == '%' && b1 == 'P' && b2 == 'D' && b3 == 'F') kind = "a PDF document";
        else if (b0 == '<') kind = "HTML or XML text (an error page instead of the download?)";
        else if (isText(b0) && isText(b1) && isText(b2) && isText(b3)) kind = "text";
        else return "";
        return "; it looks like " + kind;
    }

    private static boolean isText(int b) {
        return b >= 0x20 && b < 0x7F || b == '\n' || b == '\r' || b == '\t';
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "signed byte";
            case 0x0B -> "16-bit integer";
            case 0x0C -> "32-bit integer";
            case 0x0D -> "32-bit float";
            case 0x0E -> "64-bit float";
            default -> "not an IDX type";
        };
    }
}
