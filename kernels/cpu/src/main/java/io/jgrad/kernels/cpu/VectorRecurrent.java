package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 LSTM and GRU cells, forward and backward: the gates of a row are read once and each output written
 * once, where the composed form makes a dozen passes and as many temporaries. Rows may have any stride; within
 * a row every array must be contiguous ({@link #applies}), else the caller runs the reference kernel. The
 * formulas are those of {@link ReferenceRecurrent}, in float32.
 *
 * <p>Each kernel is a few passes over the rows, each pass one small loop with at most one transcendental
 * function, run as its own {@link KernelPool#runRanges} body (rows split over threads when the batch is large
 * enough). One loop with all of them exceeded C2's inlining budget (NodeCountInliningCutoff): the vector
 * operations left out of line passed their vectors boxed through the Vector API's Java fallback, many times
 * slower. A body called through the pool is compiled on its own, with everything in it inlined.
 */
final class VectorRecurrent {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    private VectorRecurrent() {
    }

    /** Whether every array is float32 with unit stride along its last dim (the rows the loops below walk). */
    static boolean applies(NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a.dtype() != DType.FLOAT32 || (a.shape(1) > 1 && a.stride(1) != 1)) return false;
        }
        return true;
    }

    /** A 2-D float32 array as its storage, first element and row stride. */
    private record Rows(float[] data, int offset, int stride) {
        static Rows of(NDArray a) {
            return new Rows(VectorGemm.floats(a), a.offset(), a.stride(0));
        }

        /** Where row {@code r} starts, plus {@code col}. */
        int at(int r, int col) {
            return offset + r * stride + col;
        }
    }

    /** Runs {@code body} over the rows, split over threads when each pass touches enough elements. */
    private static void forRows(KernelPool pool, int rows, int rowWork, KernelPool.RangeBody body) {
        pool.runRanges(rows, rowWork, VectorElementwise.MIN_PARALLEL, body);
    }

    private static float sigmoid(float x) {
        return (float) ReferenceBackend.apply(UnaryOp.SIGMOID, x, 0, 0);
    }

    // ---- LSTM -----------------------------------------------------------------------------------

    static void lstmCell(NDArray xGates, NDArray hGates, NDArray c, NDArray hOut, NDArray cOut, NDArray gates, KernelPool pool) {
        Rows x = Rows.of(xGates), hg = Rows.of(hGates), cs = Rows.of(c), ho = Rows.of(hOut), co = Rows.of(cOut), a = Rows.of(gates);
        int rows = c.shape(0), h = c.shape(1);
        forRows(pool, rows, 2 * h, (lo, hi) -> {                                    // i, f = σ(·)
            for (int r = lo; r < hi; r++) sigmoidOfSum(x.data, x.at(r, 0), hg.data, hg.at(r, 0), a.data, a.at(r, 0), 2 * h);
        });
        forRows(pool, rows, h, (lo, hi) -> {                                        // g = tanh(·)
            for (int r = lo; r < hi; r++) tanhOfSum(x.data, x.at(r, 2 * h), hg.data, hg.at(r, 2 * h), a.data, a.at(r, 2 * h), h);
        });
        forRows(pool, rows, h, (lo, hi) -> {                                        // o = σ(·)
            for (int r = lo; r < hi; r++) sigmoidOfSum(x.data, x.at(r, 3 * h), hg.data, hg.at(r, 3 * h), a.data, a.at(r, 3 * h), h);
        });
        forRows(pool, rows, 3 * h, (lo, hi) -> {                                    // c' = f⊙c + i⊙g
            for (int r = lo; r < hi; r++) lstmCellState(a.data, a.at(r, 0), h, cs.data, cs.at(r, 0), co.data, co.at(r, 0));
        });
        forRows(pool, rows, h, (lo, hi) -> {                                        // h' = o⊙tanh(c')
            for (int r = lo; r < hi; r++) productWithTanh(a.data, a.at(r, 3 * h), co.data, co.at(r, 0), ho.data, ho.at(r, 0), h);
        });
    }

    /** {@code out[k] = σ(a[k] + b[k])} for {@code n} elements from the given positions. */
    private static void sigmoidOfSum(float[] a, int pa, float[] b, int pb, float[] out, int po, int n) {
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += LANES) FloatVector.fromArray(S, a, pa + j).add(FloatVector.fromArray(S, b, pb + j)).intoArray(out, po + j);
        VectorMath.sigmoid(out, po, out, po, j);
        for (; j < n; j++) out[po + j] = sigmoid(a[pa + j] + b[pb + j]); // scalar tail
    }

    /** {@code out[k] = tanh(a[k] + b[k])} for {@code n} elements from the given positions. */
    private static void tanhOfSum(float[] a, int pa, float[] b, int pb, float[] out, int po, int n) {
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += LANES) FloatVector.fromArray(S, a, pa + j).add(FloatVector.fromArray(S, b, pb + j)).intoArray(out, po + j);
        VectorMath.tanh(out, po, out, po, j);
        for (; j < n; j++) out[po + j] = (float) Math.tanh(a[pa + j] + b[pb + j]); // scalar tail
    }

    /** {@code out[k] = tanh(a[k])} for {@code n} elements from the given positions. */
    private static void tanhOf(float[] a, int pa, float[] out, int po, int n) {
        int j = S.loopBound(n);
        VectorMath.tanh(a, pa, out, po, j);
        for (; j < n; j++) out[po + j] = (float) Math.tanh(a[pa + j]); // scalar tail
    }

    /** One row's {@code c' = f⊙c + i⊙g} from its activations i, f, g at {@code pa}. */
    private static void lstmCellState(float[] a, int pa, int h, float[] cs, int pc, float[] co, int pco) {
        int j = 0;
        for (int bound = S.loopBound(h); j < bound; j += LANES) {
            FloatVector fc = FloatVector.fromArray(S, a, pa + h + j).mul(FloatVector.fromArray(S, cs, pc + j));
            fc.add(FloatVector.fromArray(S, a, pa + j).mul(FloatVector.fromArray(S, a, pa + 2 * h + j))).intoArray(co, pco + j);
        }
        for (; j < h; j++) co[pco + j] = a[pa + h + j] * cs[pc + j] + a[pa + j] * a[pa + 2 * h + j]; // scalar tail
    }

    /** {@code out[k] = o[k]·tanh(c[k])} for {@code n} elements from the given positions. */
    private static void productWithTanh(float[] o, int po, float[] c, int pc, float[] out, int pout, int n) {
        int j = S.loopBound(n);
        VectorMath.tanh(c, pc, out, pout, j);
        for (int k = 0; k < j; k += LANES) FloatVector.fromArray(S, o, po + k).mul(FloatVector.fromArray(S, out, pout + k)).intoArray(out, pout + k);
        for (; j < n; j++) out[pout + j] = o[po + j] * (float) Math.tanh(c[pc + j]); // scalar tail
    }

    static void lstmCellBackward(NDArray gradH, NDArray gradC, NDArray c, NDArray cOut, NDArray gates, NDArray gradGates, NDArray gradCPrev, KernelPool pool) {
        Rows dh = Rows.of(gradH), dcOut = Rows.of(gradC), cs = Rows.of(c), co = Rows.of(cOut), a = Rows.of(gates), dg = Rows.of(gradGates), dcp = Rows.of(gradCPrev);
        int rows = c.shape(0), h = c.shape(1);
        // tanh c' first, into gradCPrev, which the second pass overwrites element by element after reading it
        forRows(pool, rows, h, (lo, hi) -> {
            for (int r = lo; r < hi; r++) tanhOf(co.data, co.at(r, 0), dcp.data, dcp.at(r, 0), h);
        });
        forRows(pool, rows, 6 * h, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                lstmGradients(dh.data, dh.at(r, 0), dcOut.data, dcOut.at(r, 0), cs.data, cs.at(r, 0), a.data, a.at(r, 0), dg.data, dg.at(r, 0), dcp.data, dcp.at(r, 0), h);
            }
        });
    }

    /** One row of {@link ReferenceRecurrent#lstmCellBackward}, with tanh c' already in {@code dcp}. */
    private static void lstmGradients(float[] dh, int pdh, float[] dcOut, int pdc, float[] cs, int pc, float[] a, int pa, float[] dg, int pdg,
                                      float[] dcp, int pdcp, int h) {
        int j = 0;
        for (int bound = S.loopBound(h); j < bound; j += LANES) {
            FloatVector i = FloatVector.fromArray(S, a, pa + j), f = FloatVector.fromArray(S, a, pa + h + j);
            FloatVector g = FloatVector.fromArray(S, a, pa + 2 * h + j), o = FloatVector.fromArray(S, a, pa + 3 * h + j);
            FloatVector tc = FloatVector.fromArray(S, dcp, pdcp + j), gh = FloatVector.fromArray(S, dh, pdh + j);
            FloatVector dc = gh.mul(o).mul(ONE.sub(tc.mul(tc))).add(FloatVector.fromArray(S, dcOut, pdc + j)); // dc' + dh'·o·(1 - tanh²c')
            dc.mul(g).mul(i).mul(ONE.sub(i)).intoArray(dg, pdg + j);
            dc.mul(FloatVector.fromArray(S, cs, pc + j)).mul(f).mul(ONE.sub(f)).intoArray(dg, pdg + h + j);
            dc.mul(i).mul(ONE.sub(g.mul(g))).intoArray(dg, pdg + 2 * h + j);
            gh.mul(tc).mul(o).mul(ONE.sub(o)).intoArray(dg, pdg + 3 * h + j);
            dc.mul(f).intoArray(dcp, pdcp + j);
        }
        for (; j < h; j++) { // scalar tail
            float i = a[pa + j], f = a[pa + h + j], g = a[pa + 2 * h + j], o = a[pa + 3 * h + j];
            float tc = dcp[pdcp + j], gh = dh[pdh + j];
            float dc = gh * o * (1 - tc * tc) + dcOut[pdc + j];
            dg[pdg + j] = dc * g * i * (1 - i);
            dg[pdg + h + j] = dc * cs[pc + j] * f * (1 - f);
            dg[pdg + 2 * h + j] = dc * i * (1 - g * g);
            dg[pdg + 3 * h + j] = gh * tc * o * (1 - o);
            dcp[pdcp + j] = dc * f;
        }
    }

    // ---- GRU ------------------------------------------------------------------------------------

    static void gruCell(NDArray xGates, NDArray hGates, NDArray h, NDArray hOut, NDArray saved, KernelPool pool) {
        Rows x = Rows.of(xGates), hg = Rows.of(hGates), hs = Rows.of(h), ho = Rows.of(hOut), sv = Rows.of(saved);
        int rows = h.shape(0), size = h.shape(1);
        forRows(pool, rows, 2 * size, (lo, hi) -> {                                 // r, z = σ(·)
            for (int r = lo; r < hi; r++) sigmoidOfSum(x.data, x.at(r, 0), hg.data, hg.at(r, 0), sv.data, sv.at(r, 0), 2 * size);
        });
        // n in a pass of its own: with h' in the same loop, C2 ran out of inlining budget (NodeCountInliningCutoff)
        // and left one of the loads to the Vector API's Java fallback (JFR: fromArray0Template under gruState).
        forRows(pool, rows, 2 * size, (lo, hi) -> {                                 // n = tanh(x_n + r⊙h_n)
            for (int r = lo; r < hi; r++) gruCandidate(x.data, x.at(r, 2 * size), hg.data, hg.at(r, 2 * size), sv.data, sv.at(r, 0), size);
        });
        forRows(pool, rows, 3 * size, (lo, hi) -> {                                 // h' = (1-z)⊙n + z⊙h
            for (int r = lo; r < hi; r++) gruState(hg.data, hg.at(r, 2 * size), hs.data, hs.at(r, 0), ho.data, ho.at(r, 0), sv.data, sv.at(r, 0), size);
        });
    }

    /** One row's {@code n = tanh(x_n + r⊙h_n)} into the n block of {@code sv}, with r already in its first block. */
    private static void gruCandidate(float[] xn, int px, float[] hn, int ph, float[] sv, int ps, int size) {
        int j = 0;
        for (int bound = S.loopBound(size); j < bound; j += LANES) {
            FloatVector.fromArray(S, sv, ps + j).fma(FloatVector.fromArray(S, hn, ph + j), FloatVector.fromArray(S, xn, px + j))
                    .intoArray(sv, ps + 2 * size + j); // r scales W_hn h + b_hn
        }
        VectorMath.tanh(sv, ps + 2 * size, sv, ps + 2 * size, j);
        for (; j < size; j++) sv[ps + 2 * size + j] = (float) Math.tanh(xn[px + j] + sv[ps + j] * hn[ph + j]); // scalar tail
    }

    /** One row's {@code h' = (1-z)⊙n + z⊙h}, with z and n already in {@code sv}; keeps h_n in the last block of {@code sv}. */
    private static void gruState(float[] hn, int ph, float[] hs, int phs, float[] ho, int pho, float[] sv, int ps, int size) {
        int j = 0;
        for (int bound = S.loopBound(size); j < bound; j += LANES) {
            FloatVector z = FloatVector.fromArray(S, sv, ps + size + j), n = FloatVector.fromArray(S, sv, ps + 2 * size + j);
            z.mul(FloatVector.fromArray(S, hs, phs + j).sub(n)).add(n).intoArray(ho, pho + j);
            FloatVector.fromArray(S, hn, ph + j).intoArray(sv, ps + 3 * size + j);
        }
        for (; j < size; j++) { // scalar tail
            float z = sv[ps + size + j], n = sv[ps + 2 * size + j];
            ho[pho + j] = n + z * (hs[phs + j] - n);
            sv[ps + 3 * size + j] = hn[ph + j];
        }
    }

    static void gruCellBackward(NDArray gradH, NDArray h, NDArray saved, NDArray gradXGates, NDArray gradHGates, NDArray gradHPrev, KernelPool pool) {
        Rows dh = Rows.of(gradH), hs = Rows.of(h), sv = Rows.of(saved), dx = Rows.of(gradXGates), dhg = Rows.of(gradHGates), dhp = Rows.of(gradHPrev);
        int rows = h.shape(0), size = h.shape(1);
        forRows(pool, rows, 8 * size, (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                gruGradients(dh.data, dh.at(r, 0), hs.data, hs.at(r, 0), sv.data, sv.at(r, 0), dx.data, dx.at(r, 0), dhg.data, dhg.at(r, 0), dhp.data, dhp.at(r, 0), size);
            }
        });
    }

    /** One row of {@link ReferenceRecurrent#gruCellBackward}. */
    private static void gruGradients(float[] dh, int pdh, float[] hs, int phs, float[] sv, int ps, float[] dx, int pdx, float[] dhg, int pdhg,
                                     float[] dhp, int pdhp, int size) {
        int j = 0;
        for (int bound = S.loopBound(size); j < bound; j += LANES) {
            FloatVector rg = FloatVector.fromArray(S, sv, ps + j), z = FloatVector.fromArray(S, sv, ps + size + j);
            FloatVector n = FloatVector.fromArray(S, sv, ps + 2 * size + j), hn = FloatVector.fromArray(S, sv, ps + 3 * size + j);
            FloatVector g = FloatVector.fromArray(S, dh, pdh + j);
            FloatVector dnPre = g.mul(ONE.sub(z)).mul(ONE.sub(n.mul(n)));
            FloatVector drPre = dnPre.mul(hn).mul(rg).mul(ONE.sub(rg));
            FloatVector dzPre = g.mul(FloatVector.fromArray(S, hs, phs + j).sub(n)).mul(z).mul(ONE.sub(z));
            drPre.intoArray(dx, pdx + j);
            dzPre.intoArray(dx, pdx + size + j);
            dnPre.intoArray(dx, pdx + 2 * size + j);
            drPre.intoArray(dhg, pdhg + j);
            dzPre.intoArray(dhg, pdhg + size + j);
            dnPre.mul(rg).intoArray(dhg, pdhg + 2 * size + j);
            g.mul(z).intoArray(dhp, pdhp + j);
        }
        for (; j < size; j++) { // scalar tail
            float rg = sv[ps + j], z = sv[ps + size + j], n = sv[ps + 2 * size + j], hn = sv[ps + 3 * size + j];
            float g = dh[pdh + j];
            float dnPre = g * (1 - z) * (1 - n * n);
            float drPre = dnPre * hn * rg * (1 - rg);
            float dzPre = g * (hs[phs + j] - n) * z * (1 - z);
            dx[pdx + j] = drPre;
            dx[pdx + size + j] = dzPre;
            dx[pdx + 2 * size + j] = dnPre;
            dhg[pdhg + j] = drPre;
            dhg[pdhg + size + j] = dzPre;
            dhg[pdhg + 2 * size + j] = dnPre * rg;
            dhp[pdhp + j] = g * z;
        }
    }
}
