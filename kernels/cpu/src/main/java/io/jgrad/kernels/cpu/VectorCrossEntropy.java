package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.ReduceOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static io.jgrad.kernels.cpu.VectorGemm.floats;

/**
 * Class-index cross-entropy over float32 logit rows whose classes are adjacent ({@code [rows, C]}, class stride 1:
 * what a linear layer gives), rows in parallel. Each row is exponentiated once in vector lanes ({@link VectorMath#exp}
 * over the thread's buffer, the tail padded with -inf as in softmax), and the smoothing term uses
 * {@code Σ_c w_c·logp_c = Σ_c w_c·x_c - (max + logSum)·Σ_c w_c}, so no log-probability is stored. Same formulas
 * as {@link ReferenceCrossEntropy}, which handles the other layouts and dtypes; sums in float.
 */
final class VectorCrossEntropy {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    private static final long MIN_TASK = 1 << 14;

    private VectorCrossEntropy() {
    }

    /** Whether these arrays are the float32 rows of adjacent classes that this class handles. */
    static boolean applies(NDArray x, NDArray weight, NDArray... others) {
        if (x.dtype() != DType.FLOAT32 || x.rank() != 2 || x.stride(1) != 1 || (weight != null && weight.dtype() != DType.FLOAT32)) return false;
        for (NDArray a : others) if (a != null && a.dtype() != DType.FLOAT32) return false;
        return true;
    }

    static void forward(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray loss, NDArray rowStats, KernelPool pool) {
        int rows = x.shape(0), classes = x.shape(1);
        long[] t = checkedTargets(target, p, classes);
        float[] w = weights(weight, classes), xs = floats(x), ls = floats(loss), ss = floats(rowStats);
        float allWeights = sum(w, classes), eps = (float) p.labelSmoothing();
        int xo = x.offset(), xr = x.stride(0), lo = loss.offset(), so = rowStats.offset();
        pool.runRanges(rows, classes, MIN_TASK, (first, end) -> {
            for (int r = first; r < end; r++) {
                int xp = xo + r * xr;
                float max = VectorReductions.row(ReduceOp.AMAX, xs, xp, classes);
                if (max == Float.NEGATIVE_INFINITY) max = 0;   // a row of -inf, as softmax's
                float[] e = shifted(xs, xp, classes, max, 0);
                VectorMath.exp(e, 0, e, 0, padded(classes));
                float logSum = (float) Math.log(VectorReductions.row(ReduceOp.SUM, e, 0, padded(classes)));
                boolean kept = t[r] != p.ignoreIndex();
                float wt = kept ? (w == null ? 1 : w[(int) t[r]]) : 0;
                float value = kept ? -wt * ((xs[xp + (int) t[r]] - max) - logSum) * (1 - eps) : 0;
                if (kept && eps > 0) {
                    float weighted = w == null ? VectorReductions.row(ReduceOp.SUM, xs, xp, classes) : dot(xs, xp, w, classes);
                    value += eps / classes * -(weighted - (max + logSum) * allWeights);
                }
                ls[lo + r] = value;
                ss[so + 3 * r] = max;
                ss[so + 3 * r + 1] = logSum;
                ss[so + 3 * r + 2] = wt;
            }
        });
    }

    /** {@code gradX} is {@code [rows, C]} with class stride 1 (NDArray allocates it contiguous). */
    static void backward(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray rowStats, NDArray gradLoss,
                         NDArray divisor, NDArray gradX, KernelPool pool) {
        int rows = x.shape(0), classes = x.shape(1);
        float[] w = weights(weight, classes), xs = floats(x), ss = floats(rowStats), gx = floats(gradX), gl = floats(gradLoss);
        float[] ds = divisor == null ? null : floats(divisor);
        HostStorage ts = ReferenceBackend.host(target);
        float allWeights = sum(w, classes), eps = (float) p.labelSmoothing();
        int xo = x.offset(), xr = x.stride(0), so = rowStats.offset(), go = gradX.offset(), gr = gradX.stride(0);
        pool.runRanges(rows, classes, MIN_TASK, (first, end) -> {
            for (int r = first; r < end; r++) {
                float max = ss[so + 3 * r], logSum = ss[so + 3 * r + 1], wt = ss[so + 3 * r + 2];
                float scale = gl[gradLoss.offset() + r * gradLoss.stride(0)] / (ds == null ? 1 : ds[divisor.offset() + r * divisor.stride(0)]);
                long t = ts.getLong(target.offset() + r * target.stride(0));
                boolean smoothed = t != p.ignoreIndex() && eps > 0;
                // g_c = a·p_c - b·w_c, then the target's -(1 - ε)·w_t·s: the reference's formula regrouped.
                float a = scale * ((1 - eps) * wt + (smoothed ? eps / classes * allWeights : 0)), b = smoothed ? scale * eps / classes : 0;
                int xp = xo + r * xr, gp = go + r * gr;
                float[] e = shifted(xs, xp, classes, max, logSum);
                VectorMath.exp(e, 0, e, 0, padded(classes));
                FloatVector va = FloatVector.broadcast(S, a), vb = FloatVector.broadcast(S, b);
                int bound = S.loopBound(classes), k = 0;
                for (; k < bound; k += LANES) {
                    FloatVector g = FloatVector.fromArray(S, e, k).mul(va);
                    g = w == null ? g.sub(vb) : g.sub(FloatVector.fromArray(S, w, k).mul(vb));
                    g.intoArray(gx, gp + k);
                }
                for (; k < classes; k++) gx[gp + k] = a * e[k] - b * (w == null ? 1 : w[k]);
                if (t >= 0 && t < classes && t != p.ignoreIndex()) gx[gp + (int) t] -= scale * (1 - eps) * wt;
            }
        });
    }

    /** The targets, checked before any work as the reference checks them. */
    private static long[] checkedTargets(NDArray target, CrossEntropyParams p, int classes) {
        HostStorage ts = ReferenceBackend.host(target);
        long[] t = new long[target.numel()];
        for (int r = 0; r < t.length; r++) {
            t[r] = ts.getLong(target.offset() + r * target.stride(0));
            if (t[r] != p.ignoreIndex() && (t[r] < 0 || t[r] >= classes)) {
                throw new IllegalArgumentException("crossEntropy: target " + t[r] + " is out of range for " + classes + " classes");
            }
        }
        return t;
    }

    /** {@code x - max - logSum} over the row in this thread's buffer, padded with -inf to whole vectors (e^-inf adds 0). */
    private static float[] shifted(float[] x, int xp, int n, float max, float logSum) {
        float[] e = Workspace.local().floats(Workspace.Slot.EXPONENTIALS, padded(n));
        FloatVector vmax = FloatVector.broadcast(S, max), vlog = FloatVector.broadcast(S, logSum);
        int bound = S.loopBound(n), k = 0;
        for (; k < bound; k += LANES) FloatVector.fromArray(S, x, xp + k).sub(vmax).sub(vlog).intoArray(e, k);
        for (; k < n; k++) e[k] = (x[xp + k] - max) - logSum;
        Arrays.fill(e, n, padded(n), Float.NEGATIVE_INFINITY);
        return e;
    }

    private static int padded(int n) {
        return (n + LANES - 1) / LANES * LANES;
    }

    /** The class weights as a dense float array (null for none). */
    private static float[] weights(NDArray weight, int classes) {
        if (weight == null) return null;
        float[] w = new float[classes];
        float[] ws = floats(weight);
        for (int k = 0; k < classes; k++) w[k] = ws[weight.offset() + k * weight.stride(0)];
        return w;
    }

    private static float sum(float[] w, int classes) {
        if (w == null) return classes;
        double s = 0;
        for (float v : w) s += v;
        return (float) s;
    }

    private static float dot(float[] x, int xp, float[] w, int n) {
        FloatVector acc = FloatVector.zero(S);
        int bound = S.loopBound(n), k = 0;
        for (; k < bound; k += LANES) acc = FloatVector.fromArray(S, x, xp + k).fma(FloatVector.fromArray(S, w, k), acc);
        float[] lanes = VectorMath.laneBuffer();
        acc.intoArray(lanes, 0);
        float r = VectorMath.sumLanes(lanes);
        for (; k < n; k++) r += x[xp + k] * w[k];
        return r;
    }
}
