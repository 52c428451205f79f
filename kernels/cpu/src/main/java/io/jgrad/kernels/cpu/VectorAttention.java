package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AttentionGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Fused scaled dot-product attention in float32, flash attention's schedule on a CPU. The forward takes a block of
 * {@link #QUERY_BLOCK} queries of one problem over blocks of {@link #KEY_BLOCK} keys: the block of scores is one
 * small GEMM ({@link VectorGemm#sgemm}, straight from the strided views), then each row's online softmax (a
 * running maximum {@code m} and sum {@code l}; when a block raises the maximum, what was summed so far is rescaled
 * by {@code e^(m_old - m_new)}), then a second GEMM adds the block's weights times its values to the output
 * accumulator. Only one block of scores ever exists, never the {@code [L, S]} matrix; each row's {@code m + log l}
 * is saved. The backward recomputes each block of weights from it and does the five products of the gradient as
 * GEMMs on blocks.
 *
 * <p>Threads: the forward splits over (problem, query block), the backward over problems (the key and value
 * gradients of a problem add up over its query blocks, in order). Both partitions follow the shapes only, so the
 * results do not depend on the thread count.
 */
final class VectorAttention {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    /** Keys per block of the online softmax. */
    static final int KEY_BLOCK = 64;
    /** Queries per block: the rows of each GEMM. */
    static final int QUERY_BLOCK = 64;
    /** Multiply-adds below which a call stays on the calling thread. */
    private static final long MIN_TASK = 1 << 16;

    private VectorAttention() {
    }

    static void forward(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray lse, KernelPool pool) {
        Inputs in = new Inputs(q, k, v, mask, g);
        float[] os = VectorGemm.floats(out), ls = VectorGemm.floats(lse);
        int l = g.queries(), ev = g.valueDim();
        int blocks = (l + QUERY_BLOCK - 1) / QUERY_BLOCK;
        long work = (long) Math.min(l, QUERY_BLOCK) * g.keys() * (g.headDim() + ev);
        pool.runRanges(g.batchCount() * blocks, work, MIN_TASK, (lo, hi) -> {
            for (int u = lo; u < hi; u++) {
                int b = u / blocks, i0 = (u % blocks) * QUERY_BLOCK;
                forwardBlock(in, b, i0, Math.min(QUERY_BLOCK, l - i0), os, out.offset() + (b * l + i0) * ev, ls, lse.offset() + b * l + i0);
            }
        });
    }

    /** Rows {@code i0 .. i0+rows-1} of problem {@code b}: their outputs at {@code os[op..]} (rows of Ev), log-sum-exps at {@code ls[lp..]}. */
    private static void forwardBlock(Inputs in, int b, int i0, int rows, float[] os, int op, float[] ls, int lp) {
        AttentionGeometry g = in.g;
        int ev = g.valueDim(), keysSeen = g.visibleKeys(i0 + rows - 1);
        float[] w = Workspace.local().floats(Workspace.Slot.ATTENTION, rows * KEY_BLOCK + 2 * rows);
        int max = rows * KEY_BLOCK, sum = max + rows;
        Arrays.fill(w, max, max + rows, Float.NEGATIVE_INFINITY);
        Arrays.fill(w, sum, sum + rows, 0f);
        for (int r = 0; r < rows; r++) Arrays.fill(os, op + r * ev, op + (r + 1) * ev, 0f); // the accumulator
        for (int j0 = 0; j0 < keysSeen; j0 += KEY_BLOCK) {
            int width = Math.min(KEY_BLOCK, keysSeen - j0);
            in.scores(b, i0, rows, j0, width, w);
            for (int r = 0; r < rows; r++) {
                int sp = r * KEY_BLOCK;
                float blockMax = rowMax(w, sp, width), m = w[max + r];
                if (blockMax == Float.NEGATIVE_INFINITY) { // every key of the block hidden from this query
                    Arrays.fill(w, sp, sp + width, 0f);
                    continue;
                }
                float mNew = Math.max(m, blockMax);
                if (mNew != m && m != Float.NEGATIVE_INFINITY) { // rescale what was summed under the old maximum
                    float correction = (float) Math.exp(m - mNew);
                    w[sum + r] *= correction;
                    scale(os, op + r * ev, ev, correction);
                }
                w[max + r] = mNew;
                w[sum + r] += expShifted(w, sp, width, mNew);
            }
            VectorGemm.sgemm(rows, ev, width, w, 0, KEY_BLOCK, 1, in.vs, in.vOff[b] + j0 * in.st.vRow(), in.st.vRow(), in.st.vCol(), os, op, ev, 1, true);
        }
        for (int r = 0; r < rows; r++) {
            float m = w[max + r], total = w[sum + r];
            if (m == Float.NEGATIVE_INFINITY) { // the query sees no key: zero output (already), log-sum-exp -inf
                ls[lp + r] = Float.NEGATIVE_INFINITY;
                continue;
            }
            scale(os, op + r * ev, ev, 1 / total);
            ls[lp + r] = m + (float) Math.log(total);
        }
    }

    /**
     * Per problem, per block of queries {@code i} and of keys {@code j}, with the weights {@code P = exp(S - lse)}
     * recomputed: {@code dVⱼ += Pᵀ·dOᵢ}, {@code dP = dOᵢ·Vⱼᵀ}, {@code dS = scale·P ⊙ (dP - rowsum(dOᵢ ⊙ Oᵢ))},
     * {@code dQᵢ += dS·Kⱼ}, {@code dKⱼ += dSᵀ·Qᵢ}.
     */
    static void backward(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray lse,
                         NDArray gradOut, NDArray gradQ, NDArray gradK, NDArray gradV, KernelPool pool) {
        Inputs in = new Inputs(q, k, v, mask, g);
        Gradients d = new Gradients(g, out, lse, gradOut, gradQ, gradK, gradV);
        long work = (long) g.queries() * g.keys() * 3 * (g.headDim() + g.valueDim());
        pool.runRanges(g.batchCount(), work, MIN_TASK, (lo, hi) -> {
            for (int b = lo; b < hi; b++) backwardProblem(in, d, b);
        });
    }

    private static void backwardProblem(Inputs in, Gradients d, int b) {
        AttentionGeometry g = in.g;
        int l = g.queries(), sLen = g.keys(), e1 = g.headDim(), ev = g.valueDim();
        float scale = (float) g.scale();
        int qp = d.qOff + b * l * e1, kp = d.kOff + b * sLen * e1, vp = d.vOff + b * sLen * ev;
        Arrays.fill(d.dq, qp, qp + l * e1, 0f);
        Arrays.fill(d.dk, kp, kp + sLen * e1, 0f);
        Arrays.fill(d.dv, vp, vp + sLen * ev, 0f);
        int rowsMax = Math.min(l, QUERY_BLOCK);
        float[] w = Workspace.local().floats(Workspace.Slot.ATTENTION, 2 * rowsMax * KEY_BLOCK + rowsMax);
        int dpAt = rowsMax * KEY_BLOCK, dAt = 2 * rowsMax * KEY_BLOCK;
        for (int i0 = 0; i0 < l; i0 += QUERY_BLOCK) {
            int rows = Math.min(QUERY_BLOCK, l - i0), dop = d.gradOutOff[b] + i0 * d.dRow;
            for (int r = 0; r < rows; r++) { // dOᵢ·Oᵢ per row
                int op = d.outOff + (b * l + i0 + r) * ev;
                float dot = 0;
                for (int x = 0; x < ev; x++) dot += d.gos[dop + r * d.dRow + x * d.dCol] * d.os[op + x];
                w[dAt + r] = dot;
            }
            int keysSeen = g.visibleKeys(i0 + rows - 1);
            for (int j0 = 0; j0 < keysSeen; j0 += KEY_BLOCK) {
                int width = Math.min(KEY_BLOCK, keysSeen - j0);
                in.scores(b, i0, rows, j0, width, w);
                // dP = dOᵢ·Vⱼᵀ
                VectorGemm.sgemm(rows, width, ev, d.gos, dop, d.dRow, d.dCol, in.vs, in.vOff[b] + j0 * in.st.vRow(), in.st.vCol(), in.st.vRow(),
                        w, dpAt, KEY_BLOCK, 1, false);
                for (int r = 0; r < rows; r++) {
                    int sp = r * KEY_BLOCK;
                    float logSum = d.ls[d.lseOff + b * l + i0 + r];
                    if (logSum == Float.NEGATIVE_INFINITY) { // saw no key: no weight, no gradient
                        Arrays.fill(w, sp, sp + width, 0f);
                        Arrays.fill(w, dpAt + sp, dpAt + sp + width, 0f);
                        continue;
                    }
                    expShifted(w, sp, width, logSum);
                    dsFromDp(w, sp, w, dpAt + sp, width, w[dAt + r], scale);
                }
                // dVⱼ += Pᵀ·dOᵢ ; dQᵢ += dS·Kⱼ ; dKⱼ += dSᵀ·Qᵢ
                VectorGemm.sgemm(width, ev, rows, w, 0, 1, KEY_BLOCK, d.gos, dop, d.dRow, d.dCol, d.dv, vp + j0 * ev, ev, 1, true);
                VectorGemm.sgemm(rows, e1, width, w, dpAt, KEY_BLOCK, 1, in.ks, in.kOff[b] + j0 * in.st.kRow(), in.st.kRow(), in.st.kCol(),
                        d.dq, qp + i0 * e1, e1, 1, true);
                VectorGemm.sgemm(width, e1, rows, w, dpAt, 1, KEY_BLOCK, in.qs, in.qOff[b] + i0 * in.st.qRow(), in.st.qRow(), in.st.qCol(),
                        d.dk, kp + j0 * e1, e1, 1, true);
            }
        }
    }

    // ---- the arrays --------------------------------------------------------------------------------

    /** Storage positions of element [0, 0] of each problem of {@code a} (viewed with the batch dims of {@code g}). */
    private static int[] problemOffsets(NDArray a, AttentionGeometry g) {
        int[] offsets = new int[g.batchCount()];
        var c = new StridedCursor(g.batch(), a);
        for (int b = 0; b < offsets.length; b++, c.next()) offsets[b] = c.pos[0];
        return offsets;
    }

    /** The inputs' storage, their problems' offsets and their row and column strides. */
    private static final class Inputs {
        final AttentionGeometry g;
        final float[] qs, ks, vs, ms;
        final int[] qOff, kOff, vOff, mOff;
        final AttentionStrides st;

        Inputs(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g) {
            this.g = g;
            qs = VectorGemm.floats(q);
            ks = VectorGemm.floats(k);
            vs = VectorGemm.floats(v);
            ms = mask == null ? null : VectorGemm.floats(mask);
            qOff = problemOffsets(q, g);
            kOff = problemOffsets(k, g);
            vOff = problemOffsets(v, g);
            mOff = mask == null ? null : problemOffsets(mask, g);
            st = AttentionStrides.of(q, k, v, mask, g);
        }

        /**
         * {@code w[r·KEY_BLOCK + j] = scale·q_(i0+r)·k_(j0+j) + mask} for a block of problem {@code b}, -inf where
         * causality hides the key: one GEMM {@code Qᵢ·Kⱼᵀ}, then the scale and mask row by row.
         */
        void scores(int b, int i0, int rows, int j0, int width, float[] w) {
            VectorGemm.sgemm(rows, width, g.headDim(), qs, qOff[b] + i0 * st.qRow(), st.qRow(), st.qCol(), ks, kOff[b] + j0 * st.kRow(), st.kCol(), st.kRow(),
                    w, 0, KEY_BLOCK, 1, false);
            float scale = (float) g.scale();
            for (int r = 0; r < rows; r++) {
                int sp = r * KEY_BLOCK;
                VectorAttention.scale(w, sp, width, scale);
                if (ms != null) {
                    int mp = mOff[b] + (i0 + r) * st.mRow() + j0 * st.mCol();
                    for (int j = 0; j < width; j++) w[sp + j] += ms[mp + j * st.mCol()];
                }
                int seen = g.visibleKeys(i0 + r) - j0; // causal: keys from here on are after the query
                if (seen < width) Arrays.fill(w, sp + Math.max(seen, 0), sp + width, Float.NEGATIVE_INFINITY);
            }
        }
    }

    /** The saved forward results, the output gradient, and the gradients written. */
    private static final class Gradients {
        final float[] os, ls, gos, dq, dk, dv;
        final int[] gradOutOff;
        final int outOff, lseOff, dRow, dCol, qOff, kOff, vOff;

        Gradients(AttentionGeometry g, NDArray out, NDArray lse, NDArray gradOut, NDArray gradQ, NDArray gradK, NDArray gradV) {
            int r = g.batch().length;
            os = VectorGemm.floats(out);
            ls = VectorGemm.floats(lse);
            gos = VectorGemm.floats(gradOut);
            dq = VectorGemm.floats(gradQ);
            dk = VectorGemm.floats(gradK);
            dv = VectorGemm.floats(gradV);
            gradOutOff = problemOffsets(gradOut, g);
            outOff = out.offset();
            lseOff = lse.offset();
            dRow = gradOut.strides()[r];
            dCol = gradOut.strides()[r + 1];
            qOff = gradQ.offset();
            kOff = gradK.offset();
            vOff = gradV.offset();
        }
    }

    // ---- vector loops over one row --------------------------------------------------------------

    private static float rowMax(float[] x, int xo, int n) {
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int bound = S.loopBound(n), j = 0;
        for (; j < bound; j += LANES) m = m.max(FloatVector.fromArray(S, x, xo + j));
        float r = bound > 0 ? m.reduceLanes(VectorOperators.MAX) : Float.NEGATIVE_INFINITY;
        for (; j < n; j++) r = Math.max(r, x[xo + j]); // scalar tail
        return r;
    }

    /** {@code x[xo + j] = e^(x[xo + j] - shift)} for {@code j < n}; returns their sum, added in a fixed order. */
    private static float expShifted(float[] x, int xo, int n, float shift) {
        FloatVector vs = FloatVector.broadcast(S, shift), sum = FloatVector.zero(S);
        int bound = S.loopBound(n), j = 0;
        for (; j < bound; j += LANES) FloatVector.fromArray(S, x, xo + j).sub(vs).intoArray(x, xo + j);
        VectorMath.exp(x, xo, x, xo, bound);
        for (j = 0; j < bound; j += LANES) sum = sum.add(FloatVector.fromArray(S, x, xo + j));
        float[] lanes = VectorMath.laneBuffer();
        sum.intoArray(lanes, 0);
        float total = VectorMath.sumLanes(lanes);
        for (; j < n; j++) { // scalar tail
            x[xo + j] = (float) Math.exp(x[xo + j] - shift);
            total += x[xo + j];
        }
        return total;
    }

    /** {@code ds[j] = scale·p[j]·(ds[j] - d)}: the score gradient from {@code dp} (held in {@code ds}). */
    private static void dsFromDp(float[] p, int pp, float[] ds, int dp, int n, float d, float scale) {
        FloatVector vd = FloatVector.broadcast(S, d);
        int bound = S.loopBound(n), j = 0;
        for (; j < bound; j += LANES) {
            FloatVector.fromArray(S, p, pp + j).mul(FloatVector.fromArray(S, ds, dp + j).sub(vd)).mul(scale).intoArray(ds, dp + j);
        }
        for (; j < n; j++) ds[dp + j] = p[pp + j] * (ds[dp + j] - d) * scale; // scalar tail
    }

    private static void scale(float[] x, int xo, int n, float a) {
        int bound = S.loopBound(n), j = 0;
        for (; j < bound; j += LANES) FloatVector.fromArray(S, x, xo + j).mul(a).intoArray(x, xo + j);
        for (; j < n; j++) x[xo + j] *= a; // scalar tail
    }
}
