package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AttentionGeometry;
import io.jgrad.tensor.spi.HostStorage;

import java.util.Arrays;

/**
 * The reference kernels of scaled dot-product attention, one query row at a time in double, over any strides:
 * they define {@code Backend.attention} and {@code attentionBackward}. Each row's scores are computed whole
 * (two passes: maximum, then sum), the plain definition that the blocked online softmax of
 * {@link VectorAttention} is tested against.
 */
final class ReferenceAttention {

    private ReferenceAttention() {
    }

    static void forward(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray lse) {
        HostStorage qs = ReferenceBackend.host(q), ks = ReferenceBackend.host(k), vs = ReferenceBackend.host(v), os = ReferenceBackend.host(out),
                ls = ReferenceBackend.host(lse), ms = mask == null ? null : ReferenceBackend.host(mask);
        Rows r = new Rows(q, k, v, mask, g);
        int rank = g.batch().length;
        var c = new StridedCursor(g.batch(), q, k, v, out, lse, mask == null ? out : mask);
        double[] s = new double[g.keys()];
        for (int b = 0, count = g.batchCount(); b < count; b++, c.next()) {
            for (int i = 0; i < g.queries(); i++) {
                int n = r.scores(qs, c.pos[0], ks, c.pos[1], ms, c.pos[5], i, s);
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) max = Math.max(max, s[j]);
                int orow = c.pos[3] + i * out.strides()[rank], oc = out.strides()[rank + 1];
                if (max == Double.NEGATIVE_INFINITY) { // sees no key
                    for (int e = 0; e < g.valueDim(); e++) os.set(orow + e * oc, 0);
                    ls.set(c.pos[4] + i * lse.strides()[rank], Double.NEGATIVE_INFINITY);
                    continue;
                }
                double sum = 0;
                for (int j = 0; j < n; j++) sum += Math.exp(s[j] - max);
                double logSum = max + Math.log(sum);
                for (int e = 0; e < g.valueDim(); e++) {
                    double o = 0;
                    for (int j = 0; j < n; j++) o += Math.exp(s[j] - logSum) * vs.get(c.pos[2] + j * r.st.vRow() + e * r.st.vCol());
                    os.set(orow + e * oc, o);
                }
                ls.set(c.pos[4] + i * lse.strides()[rank], logSum);
            }
        }
    }

    /**
     * With {@code pⱼ = exp(sⱼ - lse)} recomputed per row: {@code dVⱼ += pⱼ·dO}, {@code dsⱼ = pⱼ·(dO·vⱼ - dO·o)},
     * {@code dQ = scale·Σⱼ dsⱼ·kⱼ}, {@code dKⱼ += scale·dsⱼ·q}.
     */
    static void backward(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray lse,
                         NDArray gradOut, NDArray gradQ, NDArray gradK, NDArray gradV) {
        HostStorage qs = ReferenceBackend.host(q), ks = ReferenceBackend.host(k), vs = ReferenceBackend.host(v), os = ReferenceBackend.host(out),
                ls = ReferenceBackend.host(lse), ms = mask == null ? null : ReferenceBackend.host(mask), dos = ReferenceBackend.host(gradOut),
                dqs = ReferenceBackend.host(gradQ), dks = ReferenceBackend.host(gradK), dvs = ReferenceBackend.host(gradV);
        Rows r = new Rows(q, k, v, mask, g);
        int rank = g.batch().length, sLen = g.keys(), e1 = g.headDim(), ev = g.valueDim();
        int oRow = out.strides()[rank], oCol = out.strides()[rank + 1], dRow = gradOut.strides()[rank], dCol = gradOut.strides()[rank + 1];
        var c = new StridedCursor(g.batch(), q, k, v, out, lse, mask == null ? out : mask, gradOut, gradQ, gradK, gradV);
        double[] s = new double[sLen], dk = new double[sLen * e1], dv = new double[sLen * ev], dq = new double[e1];
        for (int b = 0, count = g.batchCount(); b < count; b++, c.next()) {
            Arrays.fill(dk, 0);
            Arrays.fill(dv, 0);
            for (int i = 0; i < g.queries(); i++) {
                Arrays.fill(dq, 0);
                double logSum = ls.get(c.pos[4] + i * lse.strides()[rank]);
                int n = logSum == Double.NEGATIVE_INFINITY ? 0 : r.scores(qs, c.pos[0], ks, c.pos[1], ms, c.pos[5], i, s);
                double d = 0; // dO·o
                for (int x = 0; x < ev; x++) d += dos.get(c.pos[6] + i * dRow + x * dCol) * os.get(c.pos[3] + i * oRow + x * oCol);
                for (int j = 0; j < n; j++) {
                    double p = Math.exp(s[j] - logSum), dp = 0;
                    for (int x = 0; x < ev; x++) {
                        double go = dos.get(c.pos[6] + i * dRow + x * dCol);
                        dp += go * vs.get(c.pos[2] + j * r.st.vRow() + x * r.st.vCol());
                        dv[j * ev + x] += p * go;
                    }
                    double ds = p * (dp - d) * g.scale();
                    for (int x = 0; x < e1; x++) {
                        dq[x] += ds * ks.get(c.pos[1] + j * r.st.kRow() + x * r.st.kCol());
                        dk[j * e1 + x] += ds * qs.get(c.pos[0] + i * r.st.qRow() + x * r.st.qCol());
                    }
                }
                for (int x = 0; x < e1; x++) dqs.set(c.pos[7] + i * gradQ.strides()[rank] + x * gradQ.strides()[rank + 1], dq[x]);
            }
            for (int j = 0; j < sLen; j++) {
                for (int x = 0; x < e1; x++) dks.set(c.pos[8] + j * gradK.strides()[rank] + x * gradK.strides()[rank + 1], dk[j * e1 + x]);
                for (int x = 0; x < ev; x++) dvs.set(c.pos[9] + j * gradV.strides()[rank] + x * gradV.strides()[rank + 1], dv[j * ev + x]);
            }
        }
    }

    /** The row and column strides of the inputs, and the scores of one query row. */
    private static final class Rows {
        final AttentionStrides st;
        final AttentionGeometry g;

        Rows(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g) {
            this.g = g;
            st = AttentionStrides.of(q, k, v, mask, g);
        }

        /** {@code s[j] = scale·q_i·k_j + mask_ij} for the keys query {@code i} sees; returns how many. */
        int scores(HostStorage qs, int qp, HostStorage ks, int kp, HostStorage ms, int mp, int i, double[] s) {
            int n = g.visibleKeys(i);
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int e = 0; e < g.headDim(); e++) dot += qs.get(qp + i * st.qRow() + e * st.qCol()) * ks.get(kp + j * st.kRow() + e * st.kCol());
                s[j] = g.scale() * dot + (ms == null ? 0 : ms.get(mp + i * st.mRow() + j * st.mCol()));
            }
            return n;
        }
    }
}
