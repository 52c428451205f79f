package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.UnaryOp;

/**
 * The fused LSTM and GRU cells of {@link ReferenceBackend}: one scalar loop over the {@code [N, H]} cells,
 * in double, over any strides. Each element's formulas are those of the {@code Backend} methods, gate
 * blocks in PyTorch's order (LSTM i, f, g, o; GRU r, z, n).
 */
final class ReferenceRecurrent {

    private ReferenceRecurrent() {
    }

    /** Element {@code [row, col]} of a 2-D array, read and written through its strides. */
    private record Matrix(HostStorage s, int offset, int rowStride, int colStride) {
        static Matrix of(NDArray a) {
            return new Matrix(ReferenceBackend.host(a), a.offset(), a.stride(0), a.stride(1));
        }

        double get(int row, int col) {
            return s.get(offset + row * rowStride + col * colStride);
        }

        void set(int row, int col, double value) {
            s.set(offset + row * rowStride + col * colStride, value);
        }
    }

    private static double sigmoid(double x) {
        return ReferenceBackend.apply(UnaryOp.SIGMOID, x, 0, 0);
    }

    static void lstmCell(NDArray xGates, NDArray hGates, NDArray c, NDArray hOut, NDArray cOut, NDArray gates) {
        Matrix x = Matrix.of(xGates), hg = Matrix.of(hGates), cs = Matrix.of(c), ho = Matrix.of(hOut), co = Matrix.of(cOut), a = Matrix.of(gates);
        int rows = c.shape(0), h = c.shape(1);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < h; j++) {
                double i = sigmoid(x.get(r, j) + hg.get(r, j));
                double f = sigmoid(x.get(r, h + j) + hg.get(r, h + j));
                double g = Math.tanh(x.get(r, 2 * h + j) + hg.get(r, 2 * h + j));
                double o = sigmoid(x.get(r, 3 * h + j) + hg.get(r, 3 * h + j));
                double cNew = f * cs.get(r, j) + i * g;                          // c' = f⊙c + i⊙g
                co.set(r, j, cNew);
                ho.set(r, j, o * Math.tanh(cNew));                               // h' = o⊙tanh(c')
                a.set(r, j, i);
                a.set(r, h + j, f);
                a.set(r, 2 * h + j, g);
                a.set(r, 3 * h + j, o);
            }
        }
    }

    static void lstmCellBackward(NDArray gradH, NDArray gradC, NDArray c, NDArray cOut, NDArray gates, NDArray gradGates, NDArray gradCPrev) {
        Matrix dh = Matrix.of(gradH), dcOut = Matrix.of(gradC), cs = Matrix.of(c), co = Matrix.of(cOut), a = Matrix.of(gates);
        Matrix dg = Matrix.of(gradGates), dcPrev = Matrix.of(gradCPrev);
        int rows = c.shape(0), h = c.shape(1);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < h; j++) {
                double i = a.get(r, j), f = a.get(r, h + j), g = a.get(r, 2 * h + j), o = a.get(r, 3 * h + j);
                double tc = Math.tanh(co.get(r, j)), gh = dh.get(r, j);
                double dc = dcOut.get(r, j) + gh * o * (1 - tc * tc);            // dc' + dh'·o·(1 - tanh²c')
                dg.set(r, j, dc * g * i * (1 - i));
                dg.set(r, h + j, dc * cs.get(r, j) * f * (1 - f));
                dg.set(r, 2 * h + j, dc * i * (1 - g * g));
                dg.set(r, 3 * h + j, gh * tc * o * (1 - o));
                dcPrev.set(r, j, dc * f);
            }
        }
    }

    static void gruCell(NDArray xGates, NDArray hGates, NDArray h, NDArray hOut, NDArray saved) {
        Matrix x = Matrix.of(xGates), hg = Matrix.of(hGates), hs = Matrix.of(h), ho = Matrix.of(hOut), sv = Matrix.of(saved);
        int rows = h.shape(0), size = h.shape(1);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < size; j++) {
                double rg = sigmoid(x.get(r, j) + hg.get(r, j));
                double z = sigmoid(x.get(r, size + j) + hg.get(r, size + j));
                double hn = hg.get(r, 2 * size + j);
                double n = Math.tanh(x.get(r, 2 * size + j) + rg * hn);          // r scales W_hn h + b_hn
                ho.set(r, j, n + z * (hs.get(r, j) - n));                         // h' = (1-z)⊙n + z⊙h
                sv.set(r, j, rg);
                sv.set(r, size + j, z);
                sv.set(r, 2 * size + j, n);
                sv.set(r, 3 * size + j, hn);
            }
        }
    }

    static void gruCellBackward(NDArray gradH, NDArray h, NDArray saved, NDArray gradXGates, NDArray gradHGates, NDArray gradHPrev) {
        Matrix dh = Matrix.of(gradH), hs = Matrix.of(h), sv = Matrix.of(saved);
        Matrix dx = Matrix.of(gradXGates), dhg = Matrix.of(gradHGates), dhPrev = Matrix.of(gradHPrev);
        int rows = h.shape(0), size = h.shape(1);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < size; j++) {
                double rg = sv.get(r, j), z = sv.get(r, size + j), n = sv.get(r, 2 * size + j), hn = sv.get(r, 3 * size + j);
                double g = dh.get(r, j);
                double dnPre = g * (1 - z) * (1 - n * n);
                double drPre = dnPre * hn * rg * (1 - rg);
                double dzPre = g * (hs.get(r, j) - n) * z * (1 - z);
                dx.set(r, j, drPre);
                dx.set(r, size + j, dzPre);
                dx.set(r, 2 * size + j, dnPre);
                dhg.set(r, j, drPre);
                dhg.set(r, size + j, dzPre);
                dhg.set(r, 2 * size + j, dnPre * rg);
                dhPrev.set(r, j, g * z);
            }
        }
    }
}
