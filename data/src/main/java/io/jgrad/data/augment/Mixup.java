package io.jgrad.data.augment;

import io.jgrad.data.Batch;
import io.jgrad.data.HostArrays;
import io.jgrad.tensor.Generator;

/**
 * Mixup (Zhang et al., "mixup: Beyond Empirical Risk Minimization", 2018) on a whole batch: one
 * {@code lambda ~ Beta(alpha, alpha)} per batch, and each example mixed with the example a random
 * permutation pairs it with, as in the paper's reference code. Small {@code alpha} (0.1 to 0.4) mixes
 * little; {@code alpha = 1} draws {@code lambda} uniformly.
 */
public final class Mixup {

    private final double alpha;

    public Mixup(double alpha) {
        if (!(alpha > 0)) throw new IllegalArgumentException("Mixup: alpha must be > 0, got " + alpha);
        this.alpha = alpha;
    }

    public MixedBatch apply(Batch batch, Generator gen) {
        double lambda = Beta.sample(gen, alpha, alpha);
        int n = batch.size();
        int[] perm = gen.permutation(n);
        float[] x = batch.inputs().toFloatArray();
        float[] mixed = new float[x.length];
        int per = n == 0 ? 0 : x.length / n;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < per; k++) {
                mixed[i * per + k] = (float) (lambda * x[i * per + k] + (1 - lambda) * x[perm[i] * per + k]);
            }
        }
        long[] labels = batch.labels().toLongArray(), other = new long[n];
        for (int i = 0; i < n; i++) other[i] = labels[perm[i]];
        return new MixedBatch(HostArrays.floats(mixed, batch.inputs().shape()), batch.labels(), HostArrays.longs(other, n), lambda);
    }
}
