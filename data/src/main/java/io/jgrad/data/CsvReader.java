package io.jgrad.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a numeric CSV file as a {@link TensorDataset}: one column is the label (a class index 0, 1, 2, ...),
 * the others are the features, in file order, as float32 {@code [N, F]}.
 *
 * <pre>{@code
 * TensorDataset iris = new CsvReader().labelColumn("species").read(Path.of("iris.csv"));
 * }</pre>
 *
 * Defaults: a header line, the last column as the label, comma separators. Blank lines are skipped. Every
 * problem (a cell that is not a number or beyond float range, a row with the wrong number of cells, a label
 * that is not a class index or is {@link #maxClasses} or more, a missing label column, bytes that are not
 * UTF-8 text) is a {@link DataFileException} naming the file, the line and the column.
 */
public final class CsvReader {

    /** A plain decimal number: Java's parser alone would also take "NaN", "Infinity", "0x1p3" and "1d". */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private boolean header = true;
    private String labelName;
    private int labelIndex = -1;
    private char delimiter = ',';
    private int maxClasses = DEFAULT_MAX_CLASSES;

    /**
     * Labels at or above this are refused (default {@value}): a label column that holds ids or measurements
     * instead of class indices would otherwise build a model with that many outputs.
     */
    public static final int DEFAULT_MAX_CLASSES = 10_000;

    /** Whether the first non-blank line names the columns (default true). */
    public CsvReader header(boolean header) {
        this.header = header;
        return this;
    }

    /** The label column by its header name (needs a header). */
    public CsvReader labelColumn(String name) {
        this.labelName = name;
        return this;
    }

    /** The label column by 0-based index; negative counts from the end (default -1, the last column). */
    public CsvReader labelColumn(int index) {
        this.labelName = null;
        this.labelIndex = index;
        return this;
    }

    /** The most classes a label column may index: labels must be below it. */
    public CsvReader maxClasses(int maxClasses) {
        if (maxClasses < 1) throw new IllegalArgumentException("CsvReader: maxClasses must be >= 1, got " + maxClasses);
        this.maxClasses = maxClasses;
        return this;
    }

    public CsvReader delimiter(char delimiter) {
        this.delimiter = delimiter;
        return this;
    }

    public TensorDataset read(Path file) throws IOException {
        String source = file.toString();
        if (labelName != null && !header) {
            throw new IllegalArgumentException("CsvReader: a label column by name (\"" + labelName + "\") needs a header line");
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(in, source);
        }
    }

    /** Reads UTF-8 CSV bytes from {@code in} (not closed); {@code source} names them in messages. */
    public TensorDataset read(java.io.InputStream in, String source) throws IOException {
        if (labelName != null && !header) {
            throw new IllegalArgumentException("CsvReader: a label column by name (\"" + labelName + "\") needs a header line");
        }
        // A decoder that reports malformed input, as Files.newBufferedReader's does (InputStreamReader's own replaces it).
        return parse(new BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8.newDecoder())), source);
    }

    private TensorDataset parse(BufferedReader in, String source) throws IOException {
        String[] names = null;
        int columns = -1, label = -1;
        FloatBuffer features = new FloatBuffer();
        List<Long> labels = new ArrayList<>();
        String line;
        for (int lineNo = 1; (line = readLine(in, source)) != null; lineNo++) {
            if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1); // a UTF-8 byte order mark
            if (line.isBlank()) continue;
            String[] cells = line.split(Pattern.quote(String.valueOf(delimiter)), -1);
            if (columns < 0) {
                columns = cells.length;
                if (header) names = Arrays.stream(cells).map(c -> c.strip().replaceAll("^\"|\"$", "")).toArray(String[]::new);
                label = labelColumn(source, lineNo, names, columns);
                if (header) continue;
            }
            if (cells.length != columns) {
                throw new DataFileException(source, "line " + lineNo + ": " + cells.length + " cells, but " + (header ? "the header" : "the first row")
                        + " has " + columns + " columns");
            }
            for (int c = 0; c < columns; c++) {
                double v = number(source, lineNo, c, names, cells[c]);
                if (c != label) {
                    features.add((float) v);
                } else if (v != Math.rint(v) || v < 0) {
                    throw new DataFileException(source, at(lineNo, c, names) + ": label " + cells[c].strip() + " is not a class index (0, 1, 2, ...)");
                } else if (v >= maxClasses) {
                    throw new DataFileException(source, at(lineNo, c, names) + ": label " + cells[c].strip() + " would make more than " + maxClasses
                            + " classes (labels are class indices 0.." + (maxClasses - 1) + "); is this column an id or a measurement?");
                } else {
                    labels.add((long) v);
                }
            }
        }
        if (labels.isEmpty()) throw new DataFileException(source, "no data rows");
        long[] y = labels.stream().mapToLong(Long::longValue).toArray();
        return new TensorDataset(features.toArray(), y, new int[] {y.length, columns - 1});
    }

    /**
     * One line; bytes that are not UTF-8 are named as such (the decoder alone says "Input length = 1"). The
     * reader decodes ahead in blocks, so the line where decoding failed is not known: none is named.
     */
    private static String readLine(BufferedReader in, String source) throws IOException {
        try {
            return in.readLine();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new DataFileException(source, "not UTF-8 text (a binary file?)", e);
        }
    }

    private int labelColumn(String source, int lineNo, String[] names, int columns) throws DataFileException {
        if (columns < 2) throw new DataFileException(source, "line " + lineNo + ": " + columns + " column; need a label and at least one feature");
        if (labelName != null) {
            int i = Arrays.asList(names).indexOf(labelName);
            if (i < 0) throw new DataFileException(source, "no column named \"" + labelName + "\"; the header has " + String.join(", ", names));
            return i;
        }
        int i = labelIndex < 0 ? columns + labelIndex : labelIndex;
        if (i < 0 || i >= columns) {
            throw new DataFileException(source, "label column " + labelIndex + " does not exist: line " + lineNo + " has " + columns + " columns");
        }
        return i;
    }

    private static double number(String source, int lineNo, int column, String[] names, String cell) throws DataFileException {
        String s = cell.strip();
        if (!NUMBER.matcher(s).matches()) {
            throw new DataFileException(source, at(lineNo, column, names) + ": " + (s.isEmpty() ? "empty cell" : "\"" + s + "\" is not a number"));
        }
        double v = Double.parseDouble(s);
        // Features are stored as float32: 1e39 is a finite double but would load as +Inf.
        if (Float.isInfinite((float) v)) {
            throw new DataFileException(source, at(lineNo, column, names) + ": " + s + " is out of range (beyond float32's " + Float.MAX_VALUE + ")");
        }
        return v;
    }

    /** {@code line 4, column 2 ("width")}, columns counted from 1 as editors do. */
    private static String at(int lineNo, int column, String[] names) {
        return "line " + lineNo + ", column " + (column + 1) + (names != null ? " (\"" + names[column] + "\")" : "");
    }

    /** A growable float array: a boxed list would take five times the memory. */
    private static final class FloatBuffer {
        private float[] data = new float[1024];
        private int size;

        void add(float v) {
            if (size == data.length) data = Arrays.copyOf(data, Math.multiplyExact(data.length, 2));
            data[size++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
