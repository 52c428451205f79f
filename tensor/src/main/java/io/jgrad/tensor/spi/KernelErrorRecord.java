package io.jgrad.tensor.spi;

/**
 * The record a GPU indexing kernel leaves when it meets an index outside its dim ({@code report_bad_index} in
 * the portable kernels' {@code common.cl}): {@code {flag, op code, dim size, index low word, index high word}}.
 * The kernel skips the index; the backend reads the record at its next blocking read and throws what
 * {@link #exception} builds. One definition for the OpenCL and the CUDA backend.
 */
public final class KernelErrorRecord {

    /** Ints in the record. */
    public static final int WORDS = 5;
    /** The ops that report, by the code their kernels write. */
    private static final String[] OPS = {"", "gather", "scatterAdd", "indexSelect", "indexAdd"};

    private KernelErrorRecord() {
    }

    /** True when the record holds a report. */
    public static boolean reported(int[] words) {
        return words[0] != 0;
    }

    /** The exception for a record that holds a report, naming the op, the index, the dim size and the device. */
    public static IndexOutOfBoundsException exception(int[] words, String device) {
        int code = words[1], size = words[2];
        String op = code > 0 && code < OPS.length ? OPS[code] : "an indexing kernel";
        long index = ((long) words[4] << 32) | (words[3] & 0xffffffffL);
        return new IndexOutOfBoundsException(op + ": index " + index + " is out of range for a dim of size " + size
                + " (found on the " + device + " device by a kernel enqueued before this read; that op skipped the index)");
    }
}
