package io.jgrad.data.augment;

import io.jgrad.data.HostArrays;
import io.jgrad.tensor.NDArray;

/**
 * A mixup batch: {@code inputs = lambda x + (1 - lambda) x[perm]}, with the labels of both sides. The loss
 * is {@code lambda CE(out, labels) + (1 - lambda) CE(out, otherLabels)}, which equals cross-entropy against
 * {@link #targets(int)}.
 */
public record MixedBatch(NDArray inputs, NDArray labels, NDArray otherLabels, double lambda) {

    /** Soft targets {@code [B, numClasses]}: {@code lambda} on each label, {@code 1 - lambda} on its partner's. */
    public NDArray targets(int numClasses) {
        long[] a = labels.toLongArray(), b = otherLabels.toLongArray();
        float[] t = new float[a.length * numClasses];
        for (int i = 0; i < a.length; i++) {
            if (a[i] < 0 || a[i] >= numClasses || b[i] < 0 || b[i] >= numClasses) {
                throw new IllegalArgumentException("MixedBatch: label " + Math.max(a[i], b[i]) + " is outside 0.." + (numClasses - 1));
            }
            t[i * numClasses + (int) a[i]] += (float) lambda;
            t[i * numClasses + (int) b[i]] += (float) (1 - lambda);
        }
        return HostArrays.floats(t, a.length, numClasses);
    }
}
