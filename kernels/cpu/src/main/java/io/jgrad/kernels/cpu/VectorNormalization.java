package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 layer normalisation, row by row: the row's sum, then its sum of squared deviations from the mean (two
 * passes over a row that stays in L1, so no cancellation as in {@code E[x²] - E[x]²}), then the normalised,
 * scaled and shifted row written once. The composition of {@code LayerNorm} makes five passes over the whole
 * array and allocates four temporaries of its size; at batch 32 of a Transformer layer those were a sixth of
 * the inference time. Rows must be contiguous and the weight and bias unit-stride (or absent); other layouts
 * go to the reference. Sums are in float32 (the reference's in double), so results differ by rounding.
 */
final class VectorNormalization {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    /** Elements a task should at least touch before rows are split across threads. */
    static final long MIN_TASK = 1 << 15;

    private VectorNormalization() {
    }

    /** {@link ReferenceBackend#layerNorm} for {@code x [rows, n]} with unit column stride; false (nothing written) for other layouts. */
    static boolean layerNorm(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, KernelPool pool) {
        if (x.stride(1) != 1 || !out.isContiguous() || (weight != null && weight.stride(0) != 1) || (bias != null && bias.stride(0) != 1)) return false;
        float[] xs = VectorGemm.floats(x), os = VectorGemm.floats(out);
        float[] ws = weight == null ? null : VectorGemm.floats(weight), bs = bias == null ? null : VectorGemm.floats(bias);
        int n = x.shape(1), rs = x.stride(0), xo = x.offset(), oo = out.offset();
        int wo = weight == null ? 0 : weight.offset(), bo = bias == null ? 0 : bias.offset();
        pool.runRanges(x.shape(0), 3L * n, MIN_TASK, (lo, hi) -> {
            for (int r = lo; r < hi; r++) row(xs, xo + r * rs, n, ws, wo, bs, bo, eps, os, oo + r * n);
        });
        return true;
    }

    /** One row {@code x[xp .. xp+n)} into {@code o[op ..]}; {@code w} and {@code b} may be null. */
    private static void row(float[] x, int xp, int n, float[] w, int wp, float[] b, int bp, double eps, float[] o, int op) {
        int bound = S.loopBound(n), j;
        FloatVector acc = FloatVector.zero(S);
        for (j = 0; j < bound; j += LANES) acc = acc.add(FloatVector.fromArray(S, x, xp + j));
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) sum += x[xp + j]; // scalar tail
        float mean = sum / n;
        FloatVector m = FloatVector.broadcast(S, mean);
        FloatVector sq = FloatVector.zero(S);
        for (j = 0; j < bound; j += LANES) {
            FloatVector c = FloatVector.fromArray(S, x, xp + j).sub(m);
            sq = c.fma(c, sq);
        }
        float squares = sq.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) { // scalar tail
            float c = x[xp + j] - mean;
            squares = Math.fma(c, c, squares);
        }
        float rstd = (float) (1 / Math.sqrt((double) squares / n + eps));
        FloatVector s = FloatVector.broadcast(S, rstd);
        for (j = 0; j < bound; j += LANES) {
            FloatVector y = FloatVector.fromArray(S, x, xp + j).sub(m).mul(s);
            if (w != null) y = y.mul(FloatVector.fromArray(S, w, wp + j));
            if (b != null) y = y.add(FloatVector.fromArray(S, b, bp + j));
            y.intoArray(o, op + j);
        }
        for (; j < n; j++) { // scalar tail
            float y = (x[xp + j] - mean) * rstd;
            if (w != null) y *= w[wp + j];
            if (b != null) y += b[bp + j];
            o[op + j] = y;
        }
    }
}
