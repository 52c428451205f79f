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

    /**
     * {@link ReferenceBackend#layerNorm} for {@code x [rows, n]} with unit column stride (and unit-stride mean and
     * rstd when asked for); false (nothing written) for other layouts.
     */
    static boolean layerNorm(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, NDArray mean, NDArray rstd, KernelPool pool) {
        if (x.stride(1) != 1 || !out.isContiguous() || !unitStride(weight) || !unitStride(bias) || !unitStride(mean) || !unitStride(rstd)) return false;
        float[] xs = VectorGemm.floats(x), os = VectorGemm.floats(out);
        float[] ws = weight == null ? null : VectorGemm.floats(weight), bs = bias == null ? null : VectorGemm.floats(bias);
        float[] ms = mean == null ? null : VectorGemm.floats(mean), rss = rstd == null ? null : VectorGemm.floats(rstd);
        int n = x.shape(1), rs = x.stride(0), xo = x.offset(), oo = out.offset();
        int wo = offset(weight), bo = offset(bias), mo = offset(mean), ro = offset(rstd);
        pool.runRanges(x.shape(0), 3L * n, MIN_TASK, (lo, hi) -> {
            for (int r = lo; r < hi; r++) row(xs, xo + r * rs, n, ws, wo, bs, bo, eps, os, oo + r * n, ms, mo + r, rss, ro + r);
        });
        return true;
    }

    /**
     * {@link ReferenceBackend#layerNormBackward} for {@code gradOut} and {@code x [rows, n]} with unit column stride,
     * contiguous outputs and unit-stride statistics and weight; false (nothing written) for other layouts. Rows
     * are split into chunks fixed by the sizes (not by the thread count), each summing its own part of gradWeight
     * and gradBias; the parts are added in chunk order, so every thread count gives the same bits.
     */
    static boolean layerNormBackward(NDArray gradOut, NDArray x, NDArray mean, NDArray rstd, NDArray weight,
                                     NDArray gradInput, NDArray gradWeight, NDArray gradBias, KernelPool pool) {
        if (gradOut.stride(1) != 1 || x.stride(1) != 1 || !unitStride(mean) || !unitStride(rstd) || !unitStride(weight)
                || !contiguousOrNull(gradInput) || !contiguousOrNull(gradWeight) || !contiguousOrNull(gradBias)) return false;
        float[] gs = VectorGemm.floats(gradOut), xs = VectorGemm.floats(x), ms = VectorGemm.floats(mean), rss = VectorGemm.floats(rstd);
        float[] ws = weight == null ? null : VectorGemm.floats(weight), dxs = gradInput == null ? null : VectorGemm.floats(gradInput);
        int rows = x.shape(0), n = x.shape(1), grs = gradOut.stride(0), xrs = x.stride(0);
        int go = gradOut.offset(), xo = x.offset(), mo = mean.offset(), ro = rstd.offset(), wo = offset(weight), dxo = offset(gradInput);
        int chunks = (int) Math.max(1, Math.min(Math.min(rows, MAX_CHUNKS), 3L * rows * n / MIN_TASK));
        float[][] partialW = new float[chunks][], partialB = new float[chunks][];
        pool.run(chunks, t -> {
            float[] pw = gradWeight == null ? null : new float[n], pb = gradBias == null ? null : new float[n];
            for (int r = rows * t / chunks, end = rows * (t + 1) / chunks; r < end; r++) {
                rowBackward(gs, go + r * grs, xs, xo + r * xrs, n, ms[mo + r], rss[ro + r], ws, wo, dxs, dxo + r * n, pw, pb);
            }
            partialW[t] = pw;
            partialB[t] = pb;
        }, chunks > 1);
        addInOrder(partialW, gradWeight);
        addInOrder(partialB, gradBias);
        return true;
    }

    /** At most this many chunks of rows in the backward pass (each with two partial sums of a row's length). */
    private static final int MAX_CHUNKS = 16;

    private static boolean unitStride(NDArray a) {
        return a == null || a.stride(0) == 1;
    }

    private static boolean contiguousOrNull(NDArray a) {
        return a == null || a.isContiguous();
    }

    private static int offset(NDArray a) {
        return a == null ? 0 : a.offset();
    }

    /** {@code out = Σₜ parts[t]} in the order of t; nothing when {@code out} is null. */
    private static void addInOrder(float[][] parts, NDArray out) {
        if (out == null) return;
        float[] o = VectorGemm.floats(out);
        int oo = out.offset(), n = parts[0].length;
        System.arraycopy(parts[0], 0, o, oo, n);
        for (int t = 1; t < parts.length; t++) {
            float[] p = parts[t];
            int bound = S.loopBound(n), j;
            for (j = 0; j < bound; j += LANES) FloatVector.fromArray(S, o, oo + j).add(FloatVector.fromArray(S, p, j)).intoArray(o, oo + j);
            for (; j < n; j++) o[oo + j] += p[j]; // scalar tail
        }
    }

    /**
     * One row: {@code Σ ĝ} and {@code Σ ĝ·x̂} (adding {@code g·x̂} and {@code g} into the partial column sums
     * {@code pw} and {@code pb} when not null), then the row of {@code dx} (when not null).
     */
    private static void rowBackward(float[] g, int gp, float[] x, int xp, int n, float mean, float rstd, float[] w, int wp,
                                    float[] dx, int dxp, float[] pw, float[] pb) {
        FloatVector m = FloatVector.broadcast(S, mean), s = FloatVector.broadcast(S, rstd);
        FloatVector accG = FloatVector.zero(S), accGX = FloatVector.zero(S);
        int bound = S.loopBound(n), j;
        for (j = 0; j < bound; j += LANES) {
            FloatVector gv = FloatVector.fromArray(S, g, gp + j), xHat = FloatVector.fromArray(S, x, xp + j).sub(m).mul(s);
            FloatVector gHat = w == null ? gv : gv.mul(FloatVector.fromArray(S, w, wp + j));
            accG = accG.add(gHat);
            accGX = gHat.fma(xHat, accGX);
            if (pw != null) gv.fma(xHat, FloatVector.fromArray(S, pw, j)).intoArray(pw, j);
            if (pb != null) gv.add(FloatVector.fromArray(S, pb, j)).intoArray(pb, j);
        }
        float[] lanes = VectorMath.laneBuffer();
        accG.intoArray(lanes, 0);
        float sumG = VectorMath.sumLanes(lanes);
        accGX.intoArray(lanes, 0);
        float sumGX = VectorMath.sumLanes(lanes);
        for (; j < n; j++) { // scalar tail
            float gj = g[gp + j], xHat = (x[xp + j] - mean) * rstd, gHat = w == null ? gj : gj * w[wp + j];
            sumG += gHat;
            sumGX = Math.fma(gHat, xHat, sumGX);
            if (pw != null) pw[j] = Math.fma(gj, xHat, pw[j]);
            if (pb != null) pb[j] += gj;
        }
        if (dx == null) return;
        float a = sumG / n, b = sumGX / n;
        FloatVector av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b);
        for (j = 0; j < bound; j += LANES) {
            FloatVector gv = FloatVector.fromArray(S, g, gp + j), xHat = FloatVector.fromArray(S, x, xp + j).sub(m).mul(s);
            FloatVector gHat = w == null ? gv : gv.mul(FloatVector.fromArray(S, w, wp + j));
            gHat.sub(av).sub(xHat.mul(bv)).mul(s).intoArray(dx, dxp + j);
        }
        for (; j < n; j++) { // scalar tail
            float gj = g[gp + j], xHat = (x[xp + j] - mean) * rstd, gHat = w == null ? gj : gj * w[wp + j];
            dx[dxp + j] = (gHat - a - xHat * b) * rstd;
        }
    }

    /**
     * One row {@code x[xp .. xp+n)} into {@code o[op ..]}; {@code w} and {@code b} may be null. The row's mean and
     * rstd go to {@code ms[mp]} and {@code rss[rp]} unless those arrays are null.
     */
    private static void row(float[] x, int xp, int n, float[] w, int wp, float[] b, int bp, double eps, float[] o, int op,
                            float[] ms, int mp, float[] rss, int rp) {
        int bound = S.loopBound(n), j;
        FloatVector acc = FloatVector.zero(S);
        for (j = 0; j < bound; j += LANES) acc = acc.add(FloatVector.fromArray(S, x, xp + j));
        float[] lanes = VectorMath.laneBuffer();
        acc.intoArray(lanes, 0);
        float sum = VectorMath.sumLanes(lanes);
        for (; j < n; j++) sum += x[xp + j]; // scalar tail
        float mean = sum / n;
        FloatVector m = FloatVector.broadcast(S, mean);
        FloatVector sq = FloatVector.zero(S);
        for (j = 0; j < bound; j += LANES) {
            FloatVector c = FloatVector.fromArray(S, x, xp + j).sub(m);
            sq = c.fma(c, sq);
        }
        sq.intoArray(lanes, 0);
        float squares = VectorMath.sumLanes(lanes);
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
        if (ms != null) ms[mp] = mean;
        if (rss != null) rss[rp] = rstd;
    }
}
