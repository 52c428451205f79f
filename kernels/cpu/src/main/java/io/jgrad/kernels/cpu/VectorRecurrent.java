package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 LSTM and GRU cells, forward and backward, each one pass over the {@code [N, H]} cells: the gate
 * blocks of a row are read once, the activations computed in registers (σ and tanh from {@link VectorMath})
 * and every output written once, where the composed form makes a dozen passes and as many temporaries.
 * Rows may have any stride; within a row every array must be contiguous ({@link #applies}), else the caller
 * runs the reference kernel. The formulas are those of {@link ReferenceRecurrent}, in float32.
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

    private static float[] floats(NDArray a) {
        return VectorGemm.floats(a);
    }

    /** Where row {@code r} of the 2-D array {@code a} starts in its storage. */
    private static int row(NDArray a, int r) {
        return a.offset() + r * a.stride(0);
    }

    private static float sigmoid(float x) {
        return (float) ReferenceBackend.apply(UnaryOp.SIGMOID, x, 0, 0);
    }

    private static FloatVector load(float[] a, int at) {
        return FloatVector.fromArray(S, a, at);
    }

    static void lstmCell(NDArray xGates, NDArray hGates, NDArray c, NDArray hOut, NDArray cOut, NDArray gates) {
        float[] x = floats(xGates), hg = floats(hGates), cs = floats(c), ho = floats(hOut), co = floats(cOut), a = floats(gates);
        int rows = c.shape(0), h = c.shape(1);
        for (int r = 0; r < rows; r++) {
            int px = row(xGates, r), ph = row(hGates, r), pa = row(gates, r);
            sigmoidOfSum(x, px, hg, ph, a, pa, 2 * h);                          // i, f
            tanhOfSum(x, px + 2 * h, hg, ph + 2 * h, a, pa + 2 * h, h);         // g
            sigmoidOfSum(x, px + 3 * h, hg, ph + 3 * h, a, pa + 3 * h, h);      // o
            lstmState(a, pa, h, cs, row(c, r), co, row(cOut, r), ho, row(hOut, r));
        }
    }

    // The forward kernels are split into loops with one transcendental function each: a loop body with
    // several of them exceeds C2's inlining budget, and a VectorMath call left out of line passes its vectors
    // boxed, many times slower.

    /** {@code out[k] = σ(a[k] + b[k])} for {@code n} elements from the given positions. */
    private static void sigmoidOfSum(float[] a, int pa, float[] b, int pb, float[] out, int po, int n) {
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += LANES) VectorMath.sigmoid(load(a, pa + j).add(load(b, pb + j))).intoArray(out, po + j);
        for (; j < n; j++) out[po + j] = sigmoid(a[pa + j] + b[pb + j]); // scalar tail
    }

    /** {@code out[k] = tanh(a[k] + b[k])} for {@code n} elements from the given positions. */
    private static void tanhOfSum(float[] a, int pa, float[] b, int pb, float[] out, int po, int n) {
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += LANES) VectorMath.tanh(load(a, pa + j).add(load(b, pb + j))).intoArray(out, po + j);
        for (; j < n; j++) out[po + j] = (float) Math.tanh(a[pa + j] + b[pb + j]); // scalar tail
    }

    /** One row's {@code c' = f⊙c + i⊙g} and {@code h' = o⊙tanh(c')} from its activations i, f, g, o at {@code pa}. */
    private static void lstmState(float[] a, int pa, int h, float[] cs, int pc, float[] co, int pco, float[] ho, int pho) {
        int j = 0;
        for (int bound = S.loopBound(h); j < bound; j += LANES) {
            FloatVector cNew = load(a, pa + h + j).mul(load(cs, pc + j)).add(load(a, pa + j).mul(load(a, pa + 2 * h + j)));
            cNew.intoArray(co, pco + j);
            load(a, pa + 3 * h + j).mul(VectorMath.tanh(cNew)).intoArray(ho, pho + j);
        }
        for (; j < h; j++) { // scalar tail
            float cNew = a[pa + h + j] * cs[pc + j] + a[pa + j] * a[pa + 2 * h + j];
            co[pco + j] = cNew;
            ho[pho + j] = a[pa + 3 * h + j] * (float) Math.tanh(cNew);
        }
    }

    static void lstmCellBackward(NDArray gradH, NDArray gradC, NDArray c, NDArray cOut, NDArray gates, NDArray gradGates, NDArray gradCPrev) {
        float[] dh = floats(gradH), dcOut = floats(gradC), cs = floats(c), co = floats(cOut), a = floats(gates), dg = floats(gradGates), dcp = floats(gradCPrev);
        int rows = c.shape(0), h = c.shape(1), bound = S.loopBound(h);
        for (int r = 0; r < rows; r++) {
            int pdh = row(gradH, r), pdc = row(gradC, r), pc = row(c, r), pco = row(cOut, r), pa = row(gates, r), pdg = row(gradGates, r), pdcp = row(gradCPrev, r);
            int j = 0;
            for (; j < bound; j += LANES) {
                FloatVector i = load(a, pa + j), f = load(a, pa + h + j), g = load(a, pa + 2 * h + j), o = load(a, pa + 3 * h + j);
                FloatVector tc = VectorMath.tanh(load(co, pco + j)), gh = load(dh, pdh + j);
                FloatVector dc = gh.mul(o).mul(ONE.sub(tc.mul(tc))).add(load(dcOut, pdc + j)); // dc' + dh'·o·(1 - tanh²c')
                dc.mul(g).mul(i).mul(ONE.sub(i)).intoArray(dg, pdg + j);
                dc.mul(load(cs, pc + j)).mul(f).mul(ONE.sub(f)).intoArray(dg, pdg + h + j);
                dc.mul(i).mul(ONE.sub(g.mul(g))).intoArray(dg, pdg + 2 * h + j);
                gh.mul(tc).mul(o).mul(ONE.sub(o)).intoArray(dg, pdg + 3 * h + j);
                dc.mul(f).intoArray(dcp, pdcp + j);
            }
            for (; j < h; j++) { // scalar tail
                float i = a[pa + j], f = a[pa + h + j], g = a[pa + 2 * h + j], o = a[pa + 3 * h + j];
                float tc = (float) Math.tanh(co[pco + j]), gh = dh[pdh + j];
                float dc = gh * o * (1 - tc * tc) + dcOut[pdc + j];
                dg[pdg + j] = dc * g * i * (1 - i);
                dg[pdg + h + j] = dc * cs[pc + j] * f * (1 - f);
                dg[pdg + 2 * h + j] = dc * i * (1 - g * g);
                dg[pdg + 3 * h + j] = gh * tc * o * (1 - o);
                dcp[pdcp + j] = dc * f;
            }
        }
    }

    static void gruCell(NDArray xGates, NDArray hGates, NDArray h, NDArray hOut, NDArray saved) {
        float[] x = floats(xGates), hg = floats(hGates), hs = floats(h), ho = floats(hOut), sv = floats(saved);
        int rows = h.shape(0), size = h.shape(1), bound = S.loopBound(size);
        for (int r = 0; r < rows; r++) {
            int px = row(xGates, r), ph = row(hGates, r), phs = row(h, r), pho = row(hOut, r), ps = row(saved, r);
            sigmoidOfSum(x, px, hg, ph, sv, ps, 2 * size);                       // r, z
            int j = 0;
            for (; j < bound; j += LANES) {
                FloatVector rg = load(sv, ps + j), z = load(sv, ps + size + j), hn = load(hg, ph + 2 * size + j);
                FloatVector n = VectorMath.tanh(rg.fma(hn, load(x, px + 2 * size + j)));  // r scales W_hn h + b_hn
                z.mul(load(hs, phs + j).sub(n)).add(n).intoArray(ho, pho + j);          // h' = (1-z)⊙n + z⊙h
                n.intoArray(sv, ps + 2 * size + j);
                hn.intoArray(sv, ps + 3 * size + j);
            }
            for (; j < size; j++) { // scalar tail
                float rg = sv[ps + j], z = sv[ps + size + j], hn = hg[ph + 2 * size + j];
                float n = (float) Math.tanh(x[px + 2 * size + j] + rg * hn);
                ho[pho + j] = n + z * (hs[phs + j] - n);
                sv[ps + 2 * size + j] = n;
                sv[ps + 3 * size + j] = hn;
            }
        }
    }

    static void gruCellBackward(NDArray gradH, NDArray h, NDArray saved, NDArray gradXGates, NDArray gradHGates, NDArray gradHPrev) {
        float[] dh = floats(gradH), hs = floats(h), sv = floats(saved), dx = floats(gradXGates), dhg = floats(gradHGates), dhp = floats(gradHPrev);
        int rows = h.shape(0), size = h.shape(1), bound = S.loopBound(size);
        for (int r = 0; r < rows; r++) {
            int pdh = row(gradH, r), phs = row(h, r), ps = row(saved, r), pdx = row(gradXGates, r), pdhg = row(gradHGates, r), pdhp = row(gradHPrev, r);
            int j = 0;
            for (; j < bound; j += LANES) {
                FloatVector rg = load(sv, ps + j), z = load(sv, ps + size + j), n = load(sv, ps + 2 * size + j), hn = load(sv, ps + 3 * size + j);
                FloatVector g = load(dh, pdh + j);
                FloatVector dnPre = g.mul(ONE.sub(z)).mul(ONE.sub(n.mul(n)));
                FloatVector drPre = dnPre.mul(hn).mul(rg).mul(ONE.sub(rg));
                FloatVector dzPre = g.mul(load(hs, phs + j).sub(n)).mul(z).mul(ONE.sub(z));
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
}
