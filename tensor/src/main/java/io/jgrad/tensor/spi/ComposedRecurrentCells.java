package io.jgrad.tensor.spi;

import io.jgrad.tensor.NDArray;

/**
 * The recurrent cells of {@link Backend} composed of elementwise NDArray ops: the defaults a backend without
 * a fused kernel runs (the OpenCL backend, for one), and what the fused kernels are tested against. Each
 * method has exactly the semantics of the {@code Backend} method of the same name.
 */
public final class ComposedRecurrentCells {

    private ComposedRecurrentCells() {
    }

    /** Block {@code index} of {@code count} equal blocks along the last dim of {@code x [N, count·H]}. */
    private static NDArray block(NDArray x, int index, int count) {
        int size = x.shape(1) / count;
        return x.narrow(1, index * size, size);
    }

    /** See {@link Backend#lstmCell}. */
    public static void lstmCell(NDArray xGates, NDArray hGates, NDArray c, NDArray hOut, NDArray cOut, NDArray gates) {
        NDArray pre = xGates.add(hGates);
        NDArray i = block(pre, 0, 4).sigmoid(), f = block(pre, 1, 4).sigmoid();
        NDArray g = block(pre, 2, 4).tanh(), o = block(pre, 3, 4).sigmoid();
        NDArray cNew = f.mul(c).add(i.mul(g));                                   // c' = f⊙c + i⊙g
        cOut.assign(cNew);
        hOut.assign(o.mul(cNew.tanh()));                                         // h' = o⊙tanh(c')
        block(gates, 0, 4).assign(i);
        block(gates, 1, 4).assign(f);
        block(gates, 2, 4).assign(g);
        block(gates, 3, 4).assign(o);
    }

    /** See {@link Backend#lstmCellBackward}. */
    public static void lstmCellBackward(NDArray gradH, NDArray gradC, NDArray c, NDArray cOut, NDArray gates, NDArray gradGates, NDArray gradCPrev) {
        NDArray i = block(gates, 0, 4), f = block(gates, 1, 4), g = block(gates, 2, 4), o = block(gates, 3, 4);
        NDArray tc = cOut.tanh();
        NDArray dc = gradC.add(gradH.mul(o).mul(tc.square().rsub(1)));          // dc' + dh'·o·(1 - tanh²c')
        block(gradGates, 0, 4).assign(dc.mul(g).mul(i).mul(i.rsub(1)));         // di·σ'
        block(gradGates, 1, 4).assign(dc.mul(c).mul(f).mul(f.rsub(1)));         // df·σ'
        block(gradGates, 2, 4).assign(dc.mul(i).mul(g.square().rsub(1)));       // dg·tanh'
        block(gradGates, 3, 4).assign(gradH.mul(tc).mul(o).mul(o.rsub(1)));     // do·σ'
        gradCPrev.assign(dc.mul(f));
    }

    /** See {@link Backend#gruCell}. */
    public static void gruCell(NDArray xGates, NDArray hGates, NDArray h, NDArray hOut, NDArray saved) {
        NDArray r = block(xGates, 0, 3).add(block(hGates, 0, 3)).sigmoid();
        NDArray z = block(xGates, 1, 3).add(block(hGates, 1, 3)).sigmoid();
        NDArray hn = block(hGates, 2, 3);
        NDArray n = block(xGates, 2, 3).add(r.mul(hn)).tanh();
        hOut.assign(n.add(z.mul(h.sub(n))));                                     // h' = (1-z)⊙n + z⊙h
        block(saved, 0, 4).assign(r);
        block(saved, 1, 4).assign(z);
        block(saved, 2, 4).assign(n);
        block(saved, 3, 4).assign(hn);
    }

    /** See {@link Backend#gruCellBackward}. */
    public static void gruCellBackward(NDArray gradH, NDArray h, NDArray saved, NDArray gradXGates, NDArray gradHGates, NDArray gradHPrev) {
        NDArray r = block(saved, 0, 4), z = block(saved, 1, 4), n = block(saved, 2, 4), hn = block(saved, 3, 4);
        NDArray dnPre = gradH.mul(z.rsub(1)).mul(n.square().rsub(1));           // dh'·(1-z)·tanh'
        NDArray drPre = dnPre.mul(hn).mul(r).mul(r.rsub(1));                     // (dn·hn)·σ'
        NDArray dzPre = gradH.mul(h.sub(n)).mul(z).mul(z.rsub(1));               // dh'·(h-n)·σ'
        block(gradXGates, 0, 3).assign(drPre);
        block(gradXGates, 1, 3).assign(dzPre);
        block(gradXGates, 2, 3).assign(dnPre);
        block(gradHGates, 0, 3).assign(drPre);
        block(gradHGates, 1, 3).assign(dzPre);
        block(gradHGates, 2, 3).assign(dnPre.mul(r));                            // r scales W_hn h + b_hn
        gradHPrev.assign(gradH.mul(z));
    }
}
