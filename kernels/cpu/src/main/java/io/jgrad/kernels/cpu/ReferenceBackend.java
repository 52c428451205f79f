package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.AttentionGeometry;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.SgdStep;
import io.jgrad.tensor.spi.Storage;
import io.jgrad.tensor.spi.UnaryOp;

/**
 * The semantic oracle: plain scalar Java over any strides, computing in double. Every other backend is
 * tested against this one, so each kernel is written to be read, not to be fast. Convolution, pooling and
 * indexing live in {@link ReferenceConvolution}, {@link ReferencePooling} and {@link ReferenceIndexing}.
 *
 * <p>It is also the default a fast CPU backend builds on: {@link VectorBackend} extends it and overrides only
 * the methods it speeds up, calling {@code super} where its fast path does not apply (as Lucene's Panama
 * {@code VectorUtilSupport} extends the default one). So no method here may call another overridable method
 * of {@code this}: {@code super.x(...)} must mean the reference kernel, not a fast path.
 */
public class ReferenceBackend implements Backend {

    public static final String NAME = "reference";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    // ---- memory ---------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, int size) {
        return HostStorage.allocate(dtype, size);
    }

    @Override
    public Storage fromHost(HostStorage host) {
        return host;
    }

    @Override
    public HostStorage toHost(Storage storage) {
        return (HostStorage) storage;
    }

    static HostStorage host(NDArray a) {
        return (HostStorage) a.storage();
    }

    // ---- elementwise ----------------------------------------------------------------------------

    @Override
    public void copy(NDArray src, NDArray dst) {
        HostStorage s = host(src), d = host(dst);
        boolean exactLongs = src.dtype() == DType.INT64 && dst.dtype() == DType.INT64;
        var c = new StridedCursor(dst.shape(), src, dst);
        for (int i = 0, n = dst.numel(); i < n; i++, c.next()) {
            if (exactLongs) d.setLong(c.pos[1], s.getLong(c.pos[0]));
            else d.set(c.pos[1], s.get(c.pos[0]));
        }
    }

    @Override
    public void fill(NDArray dst, double value) {
        HostStorage d = host(dst);
        var c = new StridedCursor(dst.shape(), dst);
        for (int i = 0, n = dst.numel(); i < n; i++, c.next()) d.set(c.pos[0], value);
    }

    @Override
    public void unary(UnaryOp op, NDArray x, NDArray out, double alpha, double beta) {
        HostStorage xs = host(x), os = host(out);
        boolean exactLongs = allInt64(x, out);
        var c = new StridedCursor(out.shape(), x, out);
        for (int i = 0, n = out.numel(); i < n; i++, c.next()) {
            if (exactLongs) os.setLong(c.pos[1], apply(op, xs.getLong(c.pos[0]), alpha, beta));
            else os.set(c.pos[1], apply(op, xs.get(c.pos[0]), alpha, beta));
        }
    }

    /**
     * True when every array holds int64: the kernels then compute in {@code long}, exact over the whole range
     * and wrapping around on overflow like Java's (and PyTorch's int64) arithmetic. Through {@code double}
     * only integers up to 2^53 survive.
     */
    static boolean allInt64(NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a.dtype() != DType.INT64) return false;
        }
        return true;
    }

    /**
     * One element of a unary op on int64. The ops defined on integers work in {@code long}; clamp's bounds are
     * truncated (saturating) to long first; NDArray admits no other op for integer arrays.
     */
    static long apply(UnaryOp op, long x, double alpha, double beta) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Long.signum(x);
            case SQUARE -> x * x;
            case RELU -> Math.max(x, 0);
            case CLAMP -> Math.min(Math.max(x, (long) alpha), (long) beta);
            default -> (long) apply(op, (double) x, alpha, beta);
        };
    }

    /** One element of a unary op; the definitions every backend must reproduce. */
    static double apply(UnaryOp op, double x, double alpha, double beta) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case RECIPROCAL -> 1.0 / x;
            case SQUARE -> x * x;
            case TANH -> Math.tanh(x);
            // Two branches so that exp never overflows: for x < 0, e^x / (1 + e^x).
            case SIGMOID -> x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
            case RELU -> x > 0 || Double.isNaN(x) ? x : 0.0;
            case ERF -> SpecialFunctions.erf(x);
            case GELU_ERF -> 0.5 * x * (1.0 + SpecialFunctions.erf(x / Math.sqrt(2.0)));
            case GELU_TANH -> 0.5 * x * (1.0 + Math.tanh(Math.sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x)));
            case LEAKY_RELU -> x > 0 ? x : x * alpha;
            case POW_SCALAR -> pow(x, alpha);
            case CLAMP -> Double.isNaN(x) ? x : Math.min(Math.max(x, alpha), beta);
        };
    }

    @Override
    public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        HostStorage as = host(a), bs = host(b), os = host(out);
        boolean exactLongs = allInt64(a, b, out);
        var c = new StridedCursor(out.shape(), a, b, out);
        for (int i = 0, n = out.numel(); i < n; i++, c.next()) {
            if (exactLongs) os.setLong(c.pos[2], apply(op, as.getLong(c.pos[0]), bs.getLong(c.pos[1])));
            else os.set(c.pos[2], apply(op, as.get(c.pos[0]), bs.get(c.pos[1])));
        }
    }

    /** One element of a binary op on int64, in {@code long} arithmetic (wrapping on overflow). */
    static long apply(BinaryOp op, long a, long b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> (long) ((double) a / b); // floating-point only: NDArray never sends int64 here
            case POW -> integerPower(a, b);
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case RELU_BACKWARD -> b > 0 ? a : 0;
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
        };
    }

    /** a^b by repeated squaring (wrapping); a negative exponent gives Java's {@code (long) Math.pow(a, b)}. */
    static long integerPower(long a, long b) {
        if (b < 0) return (long) Math.pow(a, b);
        long result = 1;
        for (; b > 0; b >>= 1) {
            if ((b & 1) != 0) result *= a;
            a *= a;
        }
        return result;
    }

    /**
     * C's (and so PyTorch's and OpenCL's) {@code pow}: 1^y = 1 and (-1)^±inf = 1 for every y, NaN included,
     * where Java's {@code Math.pow} answers NaN; otherwise the same.
     */
    static double pow(double a, double b) {
        if (a == 1 || (a == -1 && Double.isInfinite(b))) return 1;
        return Math.pow(a, b);
    }

    /** One element of a binary op. */
    static double apply(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> pow(a, b);
            case MAXIMUM -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MINIMUM -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
            case RELU_BACKWARD -> a * (b > 0 ? 1 : 0); // a product, not a choice: g·0 keeps -0 and NaN as g.mul(x.gt(0)) does
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
        };
    }

    @Override
    public void where(NDArray cond, NDArray a, NDArray b, NDArray out) {
        HostStorage cs = host(cond), as = host(a), bs = host(b), os = host(out);
        boolean exactLongs = allInt64(a, b, out);
        var c = new StridedCursor(out.shape(), cond, a, b, out);
        for (int i = 0, n = out.numel(); i < n; i++, c.next()) {
            boolean first = cs.get(c.pos[0]) != 0;
            HostStorage chosen = first ? as : bs;
            int at = first ? c.pos[1] : c.pos[2];
            if (exactLongs) os.setLong(c.pos[3], chosen.getLong(at));
            else os.set(c.pos[3], chosen.get(at));
        }
    }

    // ---- reductions -----------------------------------------------------------------------------

    /**
     * Walks every element of {@code x} together with the output element it reduces into: the output
     * expanded to x's shape has stride 0 along the reduced dims. Accumulates in a double[] so that float32
     * sums are not rounded at every step.
     */
    @Override
    public void reduce(ReduceOp op, NDArray x, NDArray out) {
        if (allInt64(x, out) && op != ReduceOp.MEAN) {
            reduceLongs(op, x, out);
            return;
        }
        int outCount = out.numel();
        double[] acc = new double[outCount];
        double init = switch (op) {
            case SUM, MEAN -> 0.0;
            case AMAX -> Double.NEGATIVE_INFINITY;
            case AMIN -> Double.POSITIVE_INFINITY;
        };
        java.util.Arrays.fill(acc, init);
        // Positions into acc: a contiguous index space shaped like out, expanded over x.
        NDArray accIndex = accumulatorIndex(out, x);
        HostStorage xs = host(x);
        var c = new StridedCursor(x.shape(), x, accIndex);
        for (int i = 0, n = x.numel(); i < n; i++, c.next()) {
            double v = xs.get(c.pos[0]);
            int k = c.pos[1];
            acc[k] = switch (op) {
                case SUM, MEAN -> acc[k] + v;
                case AMAX -> (v > acc[k] || Double.isNaN(v)) && !Double.isNaN(acc[k]) ? v : acc[k];
                case AMIN -> (v < acc[k] || Double.isNaN(v)) && !Double.isNaN(acc[k]) ? v : acc[k];
            };
        }
        double count = outCount == 0 ? 1 : (double) x.numel() / outCount;
        HostStorage os = host(out);
        var oc = new StridedCursor(out.shape(), out);
        for (int k = 0; k < outCount; k++, oc.next()) {
            os.set(oc.pos[0], op == ReduceOp.MEAN ? acc[k] / count : acc[k]);
        }
    }

    /** {@link #reduce} of int64 arrays in long accumulators: exact sums (wrapping on overflow) and extremes. */
    private static void reduceLongs(ReduceOp op, NDArray x, NDArray out) {
        long[] acc = new long[out.numel()];
        java.util.Arrays.fill(acc, op == ReduceOp.AMAX ? Long.MIN_VALUE : op == ReduceOp.AMIN ? Long.MAX_VALUE : 0);
        HostStorage xs = host(x), os = host(out);
        var c = new StridedCursor(x.shape(), x, accumulatorIndex(out, x));
        for (int i = 0, n = x.numel(); i < n; i++, c.next()) {
            long v = xs.getLong(c.pos[0]);
            int k = c.pos[1];
            acc[k] = switch (op) {
                case SUM, MEAN -> acc[k] + v;
                case AMAX -> Math.max(acc[k], v);
                case AMIN -> Math.min(acc[k], v);
            };
        }
        var oc = new StridedCursor(out.shape(), out);
        for (int k = 0; k < acc.length; k++, oc.next()) os.setLong(oc.pos[0], acc[k]);
    }

    /** Positions into an accumulator array shaped like {@code out} (contiguous), expanded over {@code x}'s shape. */
    private static NDArray accumulatorIndex(NDArray out, NDArray x) {
        return NDArray.view(out.storage(), out.shape(), io.jgrad.tensor.Shapes.contiguousStrides(out.shape()), 0).expand(x.shape());
    }

    @Override
    public void argReduce(boolean max, NDArray x, int dim, NDArray out) {
        HostStorage xs = host(x), os = host(out);
        int len = x.rank() == 0 ? 1 : x.shape()[dim];
        int stride = x.rank() == 0 ? 0 : x.strides()[dim];
        var c = new StridedCursor(out.shape(), x, out);
        for (int i = 0, n = out.numel(); i < n; i++, c.next()) {
            int best = 0;
            double bestValue = xs.get(c.pos[0]);
            for (int k = 1; k < len && !Double.isNaN(bestValue); k++) {
                double v = xs.get(c.pos[0] + k * stride);
                if (Double.isNaN(v) || (max ? v > bestValue : v < bestValue)) {
                    best = k;
                    bestValue = v;
                }
            }
            os.setLong(c.pos[1], best);
        }
    }

    // ---- linear algebra -------------------------------------------------------------------------

    @Override
    public void matmul(NDArray a, NDArray b, NDArray out) {
        int rank = out.rank();
        int[] outShape = out.shape();
        int m = outShape[rank - 2], n = outShape[rank - 1], k = a.shape()[rank - 1];
        int[] as = a.strides(), bs = b.strides(), os = out.strides();
        HostStorage ah = host(a), bh = host(b), oh = host(out);
        int[] batch = java.util.Arrays.copyOf(outShape, rank - 2);
        var c = new StridedCursor(batch, a, b, out);
        for (int t = 0, batches = StridedCursor.count(batch); t < batches; t++, c.next()) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += ah.get(c.pos[0] + i * as[rank - 2] + p * as[rank - 1]) * bh.get(c.pos[1] + p * bs[rank - 2] + j * bs[rank - 1]);
                    }
                    oh.set(c.pos[2] + i * os[rank - 2] + j * os[rank - 1], sum);
                }
            }
        }
    }

    // ---- softmax --------------------------------------------------------------------------------

    /** Per row along {@code dim}: subtract the row maximum before exponentiating, so nothing overflows. */
    @Override
    public void softmax(NDArray x, int dim, boolean log, NDArray out) {
        if (x.rank() == 0) {
            host(out).set(out.offset(), log ? 0.0 : 1.0);
            return;
        }
        HostStorage xs = host(x), os = host(out);
        int len = x.shape()[dim], xStride = x.strides()[dim], oStride = out.strides()[dim];
        NDArray rowStartsX = x.narrow(dim, 0, Math.min(len, 1)), rowStartsOut = out.narrow(dim, 0, Math.min(len, 1));
        if (len == 0) return;
        var c = new StridedCursor(rowStartsX.shape(), rowStartsX, rowStartsOut);
        for (int r = 0, rows = rowStartsX.numel(); r < rows; r++, c.next()) {
            double max = rowShift(xs, c.pos[0], len, xStride);
            double sum = 0;
            for (int k = 0; k < len; k++) sum += Math.exp(xs.get(c.pos[0] + k * xStride) - max);
            double logSum = Math.log(sum);
            for (int k = 0; k < len; k++) {
                double shifted = xs.get(c.pos[0] + k * xStride) - max;
                os.set(c.pos[1] + k * oStride, log ? shifted - logSum : Math.exp(shifted) / sum);
            }
        }
    }

    /** The maximum of a row of {@code len} elements {@code step} apart (NaN if one is), or 0 for a row of -inf, keeping exp(-inf - 0) = 0. */
    static double rowShift(HostStorage xs, int at, int len, int step) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < len; k++) max = Math.max(max, xs.get(at + k * step));
        return max == Double.NEGATIVE_INFINITY ? 0 : max;
    }

    // ---- normalisation --------------------------------------------------------------------------

    /** Per row of {@code x [rows, n]}, in double: the mean, then the biased variance about it, then each element. */
    @Override
    public void layerNorm(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, NDArray mean, NDArray rstd) {
        HostStorage xs = host(x), os = host(out), ws = weight == null ? null : host(weight), bs = bias == null ? null : host(bias);
        int rows = x.shape(0), n = x.shape(1), rs = x.stride(0), cs = x.stride(1);
        for (int r = 0; r < rows; r++) {
            int row = x.offset() + r * rs;
            double sum = 0;
            for (int j = 0; j < n; j++) sum += xs.get(row + j * cs);
            double mu = sum / n, squares = 0;
            for (int j = 0; j < n; j++) {
                double c = xs.get(row + j * cs) - mu;
                squares += c * c;
            }
            double std = Math.sqrt(squares / n + eps);
            for (int j = 0; j < n; j++) {
                double y = (xs.get(row + j * cs) - mu) / std;
                if (ws != null) y *= ws.get(weight.offset() + j * weight.stride(0));
                if (bs != null) y += bs.get(bias.offset() + j * bias.stride(0));
                os.set(out.offset() + r * out.stride(0) + j * out.stride(1), y);
            }
            if (mean != null) host(mean).set(mean.offset() + r * mean.stride(0), mu);
            if (rstd != null) host(rstd).set(rstd.offset() + r * rstd.stride(0), 1 / std);
        }
    }

    /**
     * Per row, in double: {@code Σ ĝ} and {@code Σ ĝ·x̂} (ĝ = gradOut·weight, x̂ = (x - mean)·rstd), then each element
     * of gradInput; gradWeight and gradBias summed over the rows in row order.
     */
    @Override
    public void layerNormBackward(NDArray gradOut, NDArray x, NDArray mean, NDArray rstd, NDArray weight,
                                  NDArray gradInput, NDArray gradWeight, NDArray gradBias) {
        HostStorage gs = host(gradOut), xs = host(x), ms = host(mean), rss = host(rstd), ws = weight == null ? null : host(weight);
        int rows = x.shape(0), n = x.shape(1);
        double[] dw = new double[n], db = new double[n];
        for (int r = 0; r < rows; r++) {
            double mu = ms.get(mean.offset() + r * mean.stride(0)), rs = rss.get(rstd.offset() + r * rstd.stride(0));
            double sumG = 0, sumGX = 0;
            for (int j = 0; j < n; j++) {
                double g = gs.get(at(gradOut, r, j)), xHat = (xs.get(at(x, r, j)) - mu) * rs;
                double gHat = ws == null ? g : g * ws.get(weight.offset() + j * weight.stride(0));
                sumG += gHat;
                sumGX += gHat * xHat;
                dw[j] += g * xHat;
                db[j] += g;
            }
            if (gradInput == null) continue;
            HostStorage is = host(gradInput);
            for (int j = 0; j < n; j++) {
                double g = gs.get(at(gradOut, r, j)), xHat = (xs.get(at(x, r, j)) - mu) * rs;
                double gHat = ws == null ? g : g * ws.get(weight.offset() + j * weight.stride(0));
                is.set(at(gradInput, r, j), rs * (gHat - sumG / n - xHat * sumGX / n));
            }
        }
        for (int j = 0; j < n; j++) {
            if (gradWeight != null) host(gradWeight).set(gradWeight.offset() + j * gradWeight.stride(0), dw[j]);
            if (gradBias != null) host(gradBias).set(gradBias.offset() + j * gradBias.stride(0), db[j]);
        }
    }

    /** The storage index of element {@code [r, j]} of a matrix view. */
    private static int at(NDArray a, int r, int j) {
        return a.offset() + r * a.stride(0) + j * a.stride(1);
    }

    // ---- attention ------------------------------------------------------------------------------

    @Override
    public void attention(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray logSumExp) {
        ReferenceAttention.forward(q, k, v, mask, g, out, logSumExp);
    }

    @Override
    public void attentionBackward(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray logSumExp,
                                  NDArray gradOut, NDArray gradQ, NDArray gradK, NDArray gradV) {
        ReferenceAttention.backward(q, k, v, mask, g, out, logSumExp, gradOut, gradQ, gradK, gradV);
    }

    // ---- cross-entropy ----------------------------------------------------------------------------

    @Override
    public void crossEntropy(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray loss, NDArray rowStats) {
        ReferenceCrossEntropy.forward(x, target, weight, p, loss, rowStats);
    }

    @Override
    public void crossEntropyTotal(NDArray loss, NDArray rowStats, boolean mean, NDArray total) {
        ReferenceCrossEntropy.total(loss, rowStats, mean, total);
    }

    @Override
    public void crossEntropyBackward(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray rowStats,
                                     NDArray gradLoss, NDArray divisor, NDArray gradX) {
        ReferenceCrossEntropy.backward(x, target, weight, p, rowStats, gradLoss, divisor, gradX);
    }

    // ---- convolution, pooling, indexing ---------------------------------------------------------

    @Override
    public void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, NDArray out) {
        ReferenceConvolution.forward(input, weight, bias, g, out);
    }

    @Override
    public void conv2dBackwardInput(NDArray gradOut, NDArray weight, ConvGeometry g, NDArray gradInput) {
        ReferenceConvolution.backwardInput(gradOut, weight, g, gradInput);
    }

    @Override
    public void conv2dBackwardWeight(NDArray input, NDArray gradOut, ConvGeometry g, NDArray gradWeight) {
        ReferenceConvolution.backwardWeight(input, gradOut, g, gradWeight);
    }

    @Override
    public void maxPool2d(NDArray input, PoolGeometry g, NDArray out, NDArray indices) {
        ReferencePooling.maxForward(input, g, out, indices);
    }

    @Override
    public void maxPool2dBackward(NDArray gradOut, NDArray indices, NDArray gradInput) {
        ReferencePooling.maxBackward(gradOut, indices, gradInput);
    }

    @Override
    public void avgPool2d(NDArray input, PoolGeometry g, NDArray out) {
        ReferencePooling.avgForward(input, g, out);
    }

    @Override
    public void avgPool2dBackward(NDArray gradOut, PoolGeometry g, NDArray gradInput) {
        ReferencePooling.avgBackward(gradOut, g, gradInput);
    }

    @Override
    public void gather(NDArray x, int dim, NDArray index, NDArray out) {
        ReferenceIndexing.gather(x, dim, index, out);
    }

    @Override
    public void scatterAdd(NDArray target, int dim, NDArray index, NDArray src) {
        ReferenceIndexing.scatterAdd(target, dim, index, src);
    }

    @Override
    public void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        ReferenceIndexing.indexSelect(x, dim, index, out);
    }

    @Override
    public void indexAdd(NDArray target, int dim, NDArray index, NDArray src) {
        ReferenceIndexing.indexAdd(target, dim, index, src);
    }

    // ---- recurrent cells ------------------------------------------------------------------------

    @Override
    public void lstmCell(NDArray xGates, NDArray hGates, NDArray c, NDArray hOut, NDArray cOut, NDArray gates) {
        ReferenceRecurrent.lstmCell(xGates, hGates, c, hOut, cOut, gates);
    }

    @Override
    public void lstmCellBackward(NDArray gradH, NDArray gradC, NDArray c, NDArray cOut, NDArray gates, NDArray gradGates, NDArray gradCPrev) {
        ReferenceRecurrent.lstmCellBackward(gradH, gradC, c, cOut, gates, gradGates, gradCPrev);
    }

    @Override
    public void gruCell(NDArray xGates, NDArray hGates, NDArray h, NDArray hOut, NDArray saved) {
        ReferenceRecurrent.gruCell(xGates, hGates, h, hOut, saved);
    }

    @Override
    public void gruCellBackward(NDArray gradH, NDArray h, NDArray saved, NDArray gradXGates, NDArray gradHGates, NDArray gradHPrev) {
        ReferenceRecurrent.gruCellBackward(gradH, h, saved, gradXGates, gradHGates, gradHPrev);
    }

    // ---- fused optimiser updates ----------------------------------------------------------------

    @Override
    public void adamStep(AdamStep step, NDArray param, NDArray grad, NDArray m, NDArray v, NDArray vMax) {
        ReferenceOptimizerSteps.adam(step, param, grad, m, v, vMax);
    }

    @Override
    public void sgdStep(SgdStep step, NDArray param, NDArray grad, NDArray momentumBuffer) {
        ReferenceOptimizerSteps.sgd(step, param, grad, momentumBuffer);
    }
}
