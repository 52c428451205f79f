package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AttentionGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Fused scaled dot-product attention in float32 (flash attention's schedule, on a CPU). The forward walks each
 * query row over blocks of {@link #KEY_BLOCK} keys with an online softmax: a running maximum {@code m}, a running
 * sum {@code l} and an output accumulator, both rescaled by {@code e^(m_old - m_new)} when a block raises the
 * maximum, so no {@code [L, S]} matrix of scores or weights is ever stored, only one block of one row. It saves
 * {@code m + log l} per row; the backward recomputes each row's weights from it.
 *
 * <p>Each problem's keys are first gathered transposed ({@code Kᵀ [E, S]}), so a row of scores is {@code E}
 * vector multiply-adds over the keys, and its values row-major, so the weighted sum is one multiply-add over the
 * value dim per key: no horizontal sums. The gather also makes every input layout (views of a packed
 * in-projection, permuted heads, broadcast batch dims) one code path.
 *
 * <p>Threads: the forward splits over (problem, block of {@link #QUERY_BLOCK} queries), the backward over
 * problems (the key and value gradients of one problem add up over all its queries, in query order). Both
 * partitions depend on the shapes only, so results do not depend on the thread count.
 */
final class VectorAttention {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    /** Keys per block of the online softmax: one block of scores (256 bytes) stays in registers and L1. */
    static final int KEY_BLOCK = 64;
    /** Queries per forward task: enough rows to pay for gathering the problem's keys and values. */
    static final int QUERY_BLOCK = 16;
    /** Multiply-adds below which a call stays on the calling thread. */
    private static final long MIN_TASK = 1 << 16;

    private VectorAttention() {
    }

    /** Storage positions of element [0, 0] of each problem of {@code a} (viewed with the batch dims of {@code g}). */
    private static int[] problemOffsets(NDArray a, AttentionGeometry g) {
        int[] offsets = new int[g.batchCount()];
        var c = new StridedCursor(g.batch(), a);
        for (int b = 0; b < offsets.length; b++, c.next()) offsets[b] = c.pos[0];
        return offsets;
    }

    static void forward(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray lse, KernelPool pool) {
        Inputs in = new Inputs(q, k, v, mask, g);
        float[] os = VectorGemm.floats(out), ls = VectorGemm.floats(lse);
        int l = g.queries(), ev = g.valueDim(), oBase = out.offset(), lBase = lse.offset();
        int blocks = (l + QUERY_BLOCK - 1) / QUERY_BLOCK;
        long work = (long) Math.min(l, QUERY_BLOCK) * g.keys() * (g.headDim() + ev);
        pool.runRanges(g.batchCount() * blocks, work, MIN_TASK, (lo, hi) -> {
            Scratch w = new Scratch(g, false);
            int loaded = -1;
            for (int u = lo; u < hi; u++) {
                int b = u / blocks, i0 = (u % blocks) * QUERY_BLOCK, i1 = Math.min(l, i0 + QUERY_BLOCK);
                if (b != loaded) {
                    in.gather(b, w);
                    loaded = b;
                }
                for (int i = i0; i < i1; i++) {
                    int row = b * l + i;
                    ls[lBase + row] = forwardRow(in, b, i, w, os, oBase + row * ev);
                }
            }
        });
    }

    /** One query row: writes its output at {@code os[op..]} and returns its log-sum-exp. */
    private static float forwardRow(Inputs in, int b, int i, Scratch w, float[] os, int op) {
        AttentionGeometry g = in.g;
        int sLen = g.keys(), e1 = g.headDim(), ev = g.valueDim(), n = g.visibleKeys(i);
        in.queryRow(b, i, (float) g.scale(), w.query);
        float[] acc = w.acc, s = w.scores;
        for (int x = 0; x < ev; x++) acc[x] = 0;
        float m = Float.NEGATIVE_INFINITY, sum = 0;
        for (int j0 = 0; j0 < n; j0 += KEY_BLOCK) {
            int width = Math.min(KEY_BLOCK, n - j0);
            for (int j = 0; j < width; j++) s[j] = 0;
            for (int e = 0; e < e1; e++) axpy(w.query[e], w.keysT, e * sLen + j0, s, 0, width);
            in.addMask(b, i, j0, width, s);
            float blockMax = max(s, width);
            if (blockMax == Float.NEGATIVE_INFINITY) continue; // every key of the block hidden
            float mNew = Math.max(m, blockMax);
            if (mNew != m && m != Float.NEGATIVE_INFINITY) { // rescale what was summed under the old maximum
                float correction = (float) Math.exp(m - mNew);
                sum *= correction;
                scale(acc, 0, ev, correction);
            }
            m = mNew;
            sum += expShifted(s, width, m);
            for (int j = 0; j < width; j++) {
                if (s[j] != 0) axpy(s[j], w.values, (j0 + j) * ev, acc, 0, ev);
            }
        }
        if (m == Float.NEGATIVE_INFINITY) { // the query sees no key
            for (int x = 0; x < ev; x++) os[op + x] = 0;
            return Float.NEGATIVE_INFINITY;
        }
        float inv = 1 / sum;
        for (int x = 0; x < ev; x++) os[op + x] = acc[x] * inv;
        return m + (float) Math.log(sum);
    }

    /**
     * Per problem, per query row with {@code p = exp(s - lse)} recomputed: {@code dVᵀ += dO ⊗ p},
     * {@code ds = p ⊙ (dO·Vᵀ - dO·o)}, {@code dKᵀ += scale·q ⊗ ds}, {@code dq = scale·Σⱼ dsⱼ·kⱼ}. The key and value
     * gradients are accumulated transposed, as the keys are read, and written back at the end of the problem.
     */
    static void backward(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray lse,
                         NDArray gradOut, NDArray gradQ, NDArray gradK, NDArray gradV, KernelPool pool) {
        Inputs in = new Inputs(q, k, v, mask, g);
        int[] dOffsets = problemOffsets(gradOut, g);
        int rank = g.batch().length, dRow = gradOut.strides()[rank], dCol = gradOut.strides()[rank + 1];
        float[] os = VectorGemm.floats(out), ls = VectorGemm.floats(lse), dos = VectorGemm.floats(gradOut);
        float[] dqs = VectorGemm.floats(gradQ), dks = VectorGemm.floats(gradK), dvs = VectorGemm.floats(gradV);
        int l = g.queries(), sLen = g.keys(), e1 = g.headDim(), ev = g.valueDim();
        float scale = (float) g.scale();
        long work = (long) l * sLen * 2 * (e1 + ev);
        pool.runRanges(g.batchCount(), work, MIN_TASK, (lo, hi) -> {
            Scratch w = new Scratch(g, true);
            for (int b = lo; b < hi; b++) {
                in.gather(b, w);
                Arrays.fill(w.gradKeysT, 0, e1 * sLen, 0f);
                Arrays.fill(w.gradValuesT, 0, ev * sLen, 0f);
                for (int i = 0; i < l; i++) {
                    int row = b * l + i, dqp = gradQ.offset() + row * e1;
                    float logSum = ls[lse.offset() + row];
                    if (logSum == Float.NEGATIVE_INFINITY) { // saw no key: no weight, no gradient
                        for (int x = 0; x < e1; x++) dqs[dqp + x] = 0;
                        continue;
                    }
                    int n = g.visibleKeys(i);
                    in.queryRow(b, i, 1, w.query);
                    float d = 0; // dO·o
                    for (int x = 0; x < ev; x++) {
                        w.gradOutRow[x] = dos[dOffsets[b] + i * dRow + x * dCol];
                        d += w.gradOutRow[x] * os[out.offset() + row * ev + x];
                    }
                    float[] p = w.scores, ds = w.gradScores;
                    for (int j = 0; j < n; j++) {
                        p[j] = 0;
                        ds[j] = 0;
                    }
                    for (int e = 0; e < e1; e++) axpy(scale * w.query[e], w.keysT, e * sLen, p, 0, n);
                    in.addMask(b, i, 0, n, p);
                    expShifted(p, n, logSum);
                    for (int x = 0; x < ev; x++) {
                        axpy(w.gradOutRow[x], w.valuesT, x * sLen, ds, 0, n);  // dp = dO·Vᵀ
                        axpy(w.gradOutRow[x], p, 0, w.gradValuesT, x * sLen, n);
                    }
                    dsFromDp(p, ds, n, d);
                    for (int e = 0; e < e1; e++) axpy(scale * w.query[e], ds, 0, w.gradKeysT, e * sLen, n);
                    for (int x = 0; x < e1; x++) w.gradQueryRow[x] = 0;
                    for (int j = 0; j < n; j++) {
                        if (ds[j] != 0) axpy(ds[j], w.keys, j * e1, w.gradQueryRow, 0, e1);
                    }
                    for (int x = 0; x < e1; x++) dqs[dqp + x] = scale * w.gradQueryRow[x];
                }
                int kp = gradK.offset() + b * sLen * e1, vp = gradV.offset() + b * sLen * ev;
                for (int j = 0; j < sLen; j++) {
                    for (int x = 0; x < e1; x++) dks[kp + j * e1 + x] = w.gradKeysT[x * sLen + j];
                    for (int x = 0; x < ev; x++) dvs[vp + j * ev + x] = w.gradValuesT[x * sLen + j];
                }
            }
        });
    }

    // ---- the inputs of every problem, and one thread's copy of one problem ------------------------

    /** The inputs' storage, their problems' offsets and their row and column strides. */
    private static final class Inputs {
        final AttentionGeometry g;
        final float[] qs, ks, vs, ms;
        final int[] qOff, kOff, vOff, mOff;
        final int qRow, qCol, kRow, kCol, vRow, vCol, mRow, mCol;

        Inputs(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g) {
            this.g = g;
            int r = g.batch().length;
            qs = VectorGemm.floats(q);
            ks = VectorGemm.floats(k);
            vs = VectorGemm.floats(v);
            ms = mask == null ? null : VectorGemm.floats(mask);
            qOff = problemOffsets(q, g);
            kOff = problemOffsets(k, g);
            vOff = problemOffsets(v, g);
            mOff = mask == null ? null : problemOffsets(mask, g);
            qRow = q.strides()[r];
            qCol = q.strides()[r + 1];
            kRow = k.strides()[r];
            kCol = k.strides()[r + 1];
            vRow = v.strides()[r];
            vCol = v.strides()[r + 1];
            mRow = mask == null ? 0 : mask.strides()[r];
            mCol = mask == null ? 0 : mask.strides()[r + 1];
        }

        /** Copies problem {@code b}'s keys into {@code w.keysT} (and {@code w.keys} for the backward) and its values. */
        void gather(int b, Scratch w) {
            int sLen = g.keys(), e1 = g.headDim(), ev = g.valueDim();
            for (int j = 0; j < sLen; j++) {
                int kp = kOff[b] + j * kRow, vp = vOff[b] + j * vRow;
                for (int e = 0; e < e1; e++) w.keysT[e * sLen + j] = ks[kp + e * kCol];
                if (w.keys != null) for (int e = 0; e < e1; e++) w.keys[j * e1 + e] = ks[kp + e * kCol];
                if (w.values != null) for (int x = 0; x < ev; x++) w.values[j * ev + x] = vs[vp + x * vCol];
                if (w.valuesT != null) for (int x = 0; x < ev; x++) w.valuesT[x * sLen + j] = vs[vp + x * vCol];
            }
        }

        /** {@code row[e] = factor·q[b, i, e]} */
        void queryRow(int b, int i, float factor, float[] row) {
            int qp = qOff[b] + i * qRow;
            for (int e = 0; e < g.headDim(); e++) row[e] = factor * qs[qp + e * qCol];
        }

        /** {@code s[j] += mask[b, i, j0 + j]} for {@code j < width}. */
        void addMask(int b, int i, int j0, int width, float[] s) {
            if (ms == null) return;
            int mp = mOff[b] + i * mRow + j0 * mCol;
            for (int j = 0; j < width; j++) s[j] += ms[mp + j * mCol];
        }
    }

    /** One thread's copy of one problem and its row buffers (fresh per task: a few KB, reused for every row). */
    private static final class Scratch {
        final float[] keysT, keys, values, valuesT, gradKeysT, gradValuesT;
        final float[] query, acc, scores, gradScores, gradOutRow, gradQueryRow;

        Scratch(AttentionGeometry g, boolean backward) {
            int sLen = g.keys(), e1 = g.headDim(), ev = g.valueDim();
            keysT = new float[e1 * sLen];
            keys = backward ? new float[sLen * e1] : null;
            values = backward ? null : new float[sLen * ev];
            valuesT = backward ? new float[ev * sLen] : null;
            gradKeysT = backward ? new float[e1 * sLen] : null;
            gradValuesT = backward ? new float[ev * sLen] : null;
            query = new float[e1];
            acc = new float[ev];
            scores = new float[backward ? sLen : Math.min(sLen, KEY_BLOCK)];
            gradScores = backward ? new float[sLen] : null;
            gradOutRow = backward ? new float[ev] : null;
            gradQueryRow = backward ? new float[e1] : null;
        }
    }

    // ---- vector loops over one row --------------------------------------------------------------

    /** {@code y[yo..yo+n) += a·x[xo..xo+n)} */
    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int bound = S.loopBound(n), j = 0;
        for (; j < bound; j += LANES) {
            va.fma(FloatVector.fromArray(S, x, xo + j), FloatVector.fromArray(S, y, yo + j)).intoArray(y, yo + j);
        }
        for (; j < n; j++) y[yo + j] += a * x[xo + j]; // scalar tail
    }

    private static float max(float[] x, int n) {
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int bound = S.loopBound(n), j = 0;
        for (; j < bound; j += LANES) m = m.max(FloatVector.fromArray(S, x, j));
        float r = bound > 0 ? m.reduceLanes(VectorOperators.MAX) : Float.NEGATIVE_INFINITY;
        for (; j < n; j++) r = Math.max(r, x[j]); // scalar tail
        return r;
    }

    /** {@code x[j] = e^(x[j] - shift)} for {@code j < n}; returns their sum, added in a fixed order. */
    private static float expShifted(float[] x, int n, float shift) {
        FloatVector vs = FloatVector.broadcast(S, shift), sum = FloatVector.zero(S);
        int bound = S.loopBound(n), j = 0;
        for (; j < bound; j += LANES) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, x, j).sub(vs));
            e.intoArray(x, j);
            sum = sum.add(e);
        }
        float total = VectorMath.sum(sum);
        for (; j < n; j++) { // scalar tail
            x[j] = (float) Math.exp(x[j] - shift);
            total += x[j];
        }
        return total;
    }

    /** {@code ds[j] = p[j]·(ds[j] - d)}: the score gradient from {@code dp} (held in {@code ds}). */
    private static void dsFromDp(float[] p, float[] ds, int n, float d) {
        FloatVector vd = FloatVector.broadcast(S, d);
        int bound = S.loopBound(n), j = 0;
        for (; j < bound; j += LANES) {
            FloatVector.fromArray(S, p, j).mul(FloatVector.fromArray(S, ds, j).sub(vd)).intoArray(ds, j);
        }
        for (; j < n; j++) ds[j] = p[j] * (ds[j] - d); // scalar tail
    }

    private static void scale(float[] x, int xo, int n, float a) {
        int bound = S.loopBound(n), j = 0;
        for (; j < bound; j += LANES) FloatVector.fromArray(S, x, xo + j).mul(a).intoArray(x, xo + j);
        for (; j < n; j++) x[xo + j] *= a; // scalar tail
    }
}
