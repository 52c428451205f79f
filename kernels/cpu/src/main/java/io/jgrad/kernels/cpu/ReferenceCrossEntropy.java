package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.HostStorage;

import java.util.Arrays;

import static io.jgrad.kernels.cpu.ReferenceBackend.host;

/**
 * Class-index cross-entropy, one row at a time, in double (see {@code Backend.crossEntropy} for the formulas).
 * The logits arrive as {@code [...rows, C]} views, so a cursor over the row shape finds each row's first element
 * in every array and the classes are {@code C} steps of the last stride.
 */
final class ReferenceCrossEntropy {

    private ReferenceCrossEntropy() {
    }

    static void forward(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray loss, NDArray rowStats) {
        int classes = x.shape(x.rank() - 1), step = x.stride(x.rank() - 1);
        double eps = p.labelSmoothing();
        double[] w = classWeights(weight, classes);
        HostStorage xs = host(x), ts = host(target), ls = host(loss), ss = host(rowStats);
        int[] rows = target.shape();
        var c = new StridedCursor(rows, x, target, loss, rowStats);
        for (int r = 0, n = target.numel(); r < n; r++, c.next()) {
            int at = c.pos[0];
            double max = ReferenceBackend.rowShift(xs, at, classes, step);   // as softmax's
            double sum = 0;
            for (int k = 0; k < classes; k++) sum += Math.exp(xs.get(at + k * step) - max);
            double logSum = Math.log(sum);
            long t = ts.getLong(c.pos[1]);
            boolean kept = t != p.ignoreIndex();
            if (kept && (t < 0 || t >= classes)) {
                throw new IllegalArgumentException("crossEntropy: target " + t + " is out of range for " + classes + " classes");
            }
            double wt = kept ? w[(int) t] : 0;
            double value = kept ? -wt * ((xs.get(at + (int) t * step) - max) - logSum) * (1 - eps) : 0;
            if (kept && eps > 0) {
                double uniform = 0;
                for (int k = 0; k < classes; k++) uniform -= w[k] * ((xs.get(at + k * step) - max) - logSum);
                value += eps / classes * uniform;
            }
            ls.set(c.pos[2], value);
            ss.set(c.pos[3], max);
            ss.set(c.pos[3] + 1, logSum);
            ss.set(c.pos[3] + 2, wt);
        }
    }

    /** Both arrays contiguous: loss {@code [n]} and rowStats {@code [n, 3]} in row order. */
    static void total(NDArray loss, NDArray rowStats, boolean mean, NDArray total) {
        HostStorage ls = host(loss), ss = host(rowStats), out = host(total);
        double sum = 0, weights = 0;
        for (int r = 0, n = loss.numel(); r < n; r++) {
            sum += ls.get(loss.offset() + r);
            weights += ss.get(rowStats.offset() + 3 * r + 2);
        }
        double divisor = !mean || weights == 0 ? 1 : weights;
        out.set(total.offset(), mean && weights == 0 ? Double.NaN : sum / divisor);
        out.set(total.offset() + 1, divisor);
    }

    static void backward(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray rowStats, NDArray gradLoss,
                         NDArray divisor, NDArray gradX) {
        int classes = x.shape(x.rank() - 1), step = x.stride(x.rank() - 1), gStep = gradX.stride(gradX.rank() - 1);
        double eps = p.labelSmoothing();
        double[] w = classWeights(weight, classes);
        double allWeights = 0;
        for (double v : w) allWeights += v;
        HostStorage xs = host(x), ts = host(target), ss = host(rowStats), gs = host(gradLoss), gx = host(gradX);
        HostStorage ds = divisor == null ? null : host(divisor);
        var c = divisor == null ? new StridedCursor(target.shape(), x, target, rowStats, gradLoss, gradX)
                : new StridedCursor(target.shape(), x, target, rowStats, gradLoss, gradX, divisor);
        for (int r = 0, n = target.numel(); r < n; r++, c.next()) {
            double max = ss.get(c.pos[2]), logSum = ss.get(c.pos[2] + 1), wt = ss.get(c.pos[2] + 2);
            double scale = gs.get(c.pos[3]) / (ds == null ? 1 : ds.get(c.pos[5]));
            long t = ts.getLong(c.pos[1]);
            boolean kept = t != p.ignoreIndex();
            for (int k = 0; k < classes; k++) {
                double prob = Math.exp((xs.get(c.pos[0] + k * step) - max) - logSum);
                double g = (1 - eps) * wt * (prob - (k == t ? 1 : 0));
                if (kept && eps > 0) g += eps / classes * (allWeights * prob - w[k]);
                gx.set(c.pos[4] + k * gStep, scale * g);
            }
        }
    }

    /** The class weights as doubles; all 1 without a weight array. */
    private static double[] classWeights(NDArray weight, int classes) {
        double[] w = new double[classes];
        if (weight == null) {
            Arrays.fill(w, 1);
            return w;
        }
        HostStorage ws = host(weight);
        for (int k = 0; k < classes; k++) w[k] = ws.get(weight.offset() + k * weight.stride(0));
        return w;
    }
}
