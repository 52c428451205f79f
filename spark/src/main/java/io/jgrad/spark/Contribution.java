package io.jgrad.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the tasks of one round send back, added up: float arrays weighted by each partition's share of the
 * global batch and summed ({@code Σ_p b_p·x_p}: gradients or parameters, buffers and optimiser state), integer
 * arrays combined by maximum (step counters), and per step the loss and correct predictions summed over
 * examples. A gradient a partition did not produce (a parameter its graph did not reach) is absent rather
 * than zero, so that the driver leaves that parameter alone as a single machine would.
 */
final class Contribution implements Serializable {

    private static final long serialVersionUID = 1L;

    final Map<String, float[]> sums = new LinkedHashMap<>();
    final Map<String, long[]> maxima = new LinkedHashMap<>();
    final Map<String, int[]> shapes = new LinkedHashMap<>();
    final double[] stepLossSum;
    final long[] stepCorrect;
    final long[] stepExamples;

    Contribution(int steps) {
        stepLossSum = new double[steps];
        stepCorrect = new long[steps];
        stepExamples = new long[steps];
    }

    /** Adds {@code weight · snapshot} under {@code key} (a float array) or records it for the maximum (integers). */
    void put(String key, TensorSnapshot snapshot, float weight) {
        shapes.put(key, snapshot.shape());
        if (snapshot.isFloat()) {
            float[] v = snapshot.floats().clone();
            for (int i = 0; i < v.length; i++) v[i] *= weight;
            sums.put(key, v);
        } else {
            maxima.put(key, snapshot.integers().clone());
        }
    }

    /** {@code this += other}, in place; {@code other} is unchanged. */
    void add(Contribution other) {
        if (other.stepLossSum.length != stepLossSum.length) {
            throw new IllegalStateException("SparkTrainer: contributions of rounds with " + stepLossSum.length + " and " + other.stepLossSum.length + " steps");
        }
        other.sums.forEach((key, v) -> {
            float[] mine = sums.get(key);
            if (mine == null) {
                sums.put(key, v.clone());
                shapes.put(key, other.shapes.get(key));
                return;
            }
            if (mine.length != v.length) throw new IllegalStateException("SparkTrainer: partitions disagree on the size of " + key);
            for (int i = 0; i < v.length; i++) mine[i] += v[i];
        });
        other.maxima.forEach((key, v) -> {
            long[] mine = maxima.get(key);
            if (mine == null) {
                maxima.put(key, v.clone());
                shapes.put(key, other.shapes.get(key));
                return;
            }
            for (int i = 0; i < v.length; i++) mine[i] = Math.max(mine[i], v[i]);
        });
        for (int k = 0; k < stepLossSum.length; k++) {
            stepLossSum[k] += other.stepLossSum[k];
            stepCorrect[k] += other.stepCorrect[k];
            stepExamples[k] += other.stepExamples[k];
        }
    }

    /** The float array under {@code key} divided by {@code total}, with its shape; null when absent. */
    TensorSnapshot mean(String key, int total) {
        float[] v = sums.get(key);
        if (v != null) {
            float[] out = Arrays.copyOf(v, v.length);
            for (int i = 0; i < out.length; i++) out[i] /= total;
            return new TensorSnapshot(shapes.get(key), out, null);
        }
        long[] m = maxima.get(key);
        return m == null ? null : new TensorSnapshot(shapes.get(key), null, m.clone());
    }

    /** The payload's size in bytes (float and integer values), for the round-time report. */
    long payloadBytes() {
        long n = 0;
        for (float[] v : sums.values()) n += 4L * v.length;
        for (long[] v : maxima.values()) n += 8L * v.length;
        return n;
    }
}
