package io.jgrad.tensor.spi;

/**
 * The record a GPU kernel leaves when it meets an index outside its dim (an indexing kernel) or a class target
 * outside the classes (cross-entropy) ({@code report_bad_index} in
 * the portable kernels' {@code common.cl}): {@code {flag, op code, dim size, index low word, index high word}}.
 * The kernel skips the index; the backend reads the record at its next blocking read and throws what
 * {@link #exception} builds. One definition for the OpenCL and the CUDA backend.
 */
public final class KernelErrorRecord {

    /** Ints in the record. */
    public static final int WORDS = 5;
    /** The ops that report, by the code their kernels write. */
    private static final String[] OPS = {"", "gather", "scatterAdd", "indexSelect", "indexAdd", "crossEntropy"};
    /** The code of cross-entropy's report, whose index is a class target (bad input, as on the host). */
    private static final int CROSS_ENTROPY = 5;

    private KernelErrorRecord() {
    }

    /** True when the record holds a report. */
    public static boolean reported(int[] words) {
        return words[0] != 0;
    }

    /**
     * The exception for a record that holds a report, naming the op, the index, the dim size and the device: an
     * {@code IndexOutOfBoundsException} for an indexing op, and for cross-entropy the {@code IllegalArgumentException}
     * that the host backends throw for the same target, with the same words.
     */
    public static RuntimeException exception(int[] words, String device) {
        int code = words[1], size = words[2];
        String op = code > 0 && code < OPS.length ? OPS[code] : "an indexing kernel";
        long index = ((long) words[4] << 32) | (words[3] & 0xffffffffL);
        String where = " (found on the " + device + " device by a kernel enqueued before this read; ";
        if (code == CROSS_ENTROPY) {
            return new IllegalArgumentException(op + ": target " + index + " is out of range for " + size + " classes" + where + "that row's loss is NaN)");
        }
        return new IndexOutOfBoundsException(op + ": index " + index + " is out of range for a dim of size " + size + where + "that op skipped the index)");
    }
}
