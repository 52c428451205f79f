package io.jgrad.data;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * The content of an unsigned-byte IDX file: its dimensions and its bytes in row-major order. The arrays are
 * shared, not copied (the data of a full MNIST file is 47 MB).
 */
public record IdxData(String source, int[] dims, byte[] data) {

    /** {@code 60000 x 28 x 28} */
    static String describe(int[] dims) {
        StringJoiner j = new StringJoiner(" x ");
        for (int d : dims) j.add(Integer.toString(d));
        return j.toString();
    }

    @Override
    public String toString() {
        return "IdxData[" + source + ", " + Arrays.toString(dims) + "]";
    }
}
