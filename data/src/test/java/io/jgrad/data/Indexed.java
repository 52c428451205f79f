package io.jgrad.data;

/** Test datasets whose example {@code i} is recognisable: every input value is {@code i}, the label {@code i % 10}. */
final class Indexed {

    private Indexed() {
    }

    /** {@code n} examples of shape {@code [1, 2, 2]}. */
    static TensorDataset dataset(int n) {
        float[] x = new float[n * 4];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 4; k++) x[4 * i + k] = i;
            y[i] = i % 10;
        }
        return new TensorDataset(x, y, new int[] {n, 1, 2, 2});
    }

    /** The example indices in a batch of such examples. */
    static int[] indices(Batch b) {
        float[] x = b.inputs().toFloatArray();
        int[] out = new int[b.size()];
        for (int i = 0; i < out.length; i++) out[i] = (int) x[i * (x.length / out.length)];
        return out;
    }
}
