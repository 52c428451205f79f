package io.jgrad.autograd;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ConvParams;

import java.util.Arrays;

/**
 * The gradient table: for every {@link Op}, how the gradient {@code g} of its output turns into gradients of
 * its inputs, written with NDArray ops. One case per op, the math in a comment beside it. Inputs that
 * broadcast get their gradient summed back to their own shape ({@link #sumTo}).
 */
final class Gradients {

    private Gradients() {
    }

    /** Gradients for each input of {@code n} (null where an input needs none). */
    static NDArray[] of(Node n, NDArray g) {
        return switch (n.op) {
            case ADD -> grads(n, g, g);                                                       // d(a+b) = da + db
            case SUB -> grads(n, g, n.needs(1) ? g.neg() : null);                             // d(a-b) = da - db
            case MUL -> grads(n, n.needs(0) ? g.mul(n.input(1)) : null,                       // d(a·b) = b·da + a·db
                    n.needs(1) ? g.mul(n.input(0)) : null);
            case DIV -> grads(n, n.needs(0) ? g.div(n.input(1)) : null,                       // d(a/b) = da/b - (a/b)·db/b
                    n.needs(1) ? g.mul(n.output()).div(n.input(1)).neg() : null);
            case POW -> grads(n, n.needs(0) ? powBase(g, n) : null, n.needs(1) ? powExponent(g, n) : null);
            case MAXIMUM -> grads(n, g.mul(tieSplit(n.input(0), n.input(1), true)),           // to the larger; half each on a tie
                    g.mul(tieSplit(n.input(1), n.input(0), true)));
            case MINIMUM -> grads(n, g.mul(tieSplit(n.input(0), n.input(1), false)),          // to the smaller; half each on a tie
                    g.mul(tieSplit(n.input(1), n.input(0), false)));
            case WHERE -> {                                                                    // g goes where cond picked the input
                NDArray cond = n.<OpArgs.Condition>args().cond();
                NDArray zero = g.scalarLike(0);
                yield grads(n, NDArray.where(cond, g, zero), NDArray.where(cond, zero, g));
            }
            case NEG -> one(g.neg());                                                          // d(-a) = -da
            case ABS -> one(g.mul(n.input(0).sign()));                                         // d|a| = sign(a)·da
            case EXP -> one(g.mul(n.output()));                                                // d(eᵃ) = eᵃ·da
            case LOG -> one(g.div(n.input(0)));                                                // d(ln a) = da/a
            case SQRT -> one(g.div(n.output().mul(2)));                                        // d√a = da/(2√a)
            case TANH -> one(g.mul(n.output().square().rsub(1)));                              // d tanh a = (1 - tanh²a)·da
            case SIGMOID -> one(g.mul(n.output().mul(n.output().rsub(1))));                    // dσ(a) = σ(1-σ)·da
            case RELU -> one(g.binary(BinaryOp.RELU_BACKWARD, n.input(0)));                                      // 1 where a > 0, else 0
            case LEAKY_RELU -> {                                                               // 1 where a > 0, else slope
                NDArray a = n.input(0);
                double slope = n.<OpArgs.Scalar>args().value();
                yield one(g.mul(NDArray.where(a.gt(0), a.scalarLike(1), a.scalarLike(slope))));
            }
            case GELU -> one(g.mul(n.<OpArgs.Flag>args().value() ? geluTanhDerivative(n.input(0)) : geluDerivative(n.input(0))));
            case POW_SCALAR -> {                                                               // d(aᵖ) = p·aᵖ⁻¹·da
                double p = n.<OpArgs.Scalar>args().value();
                yield one(p == 0 ? g.zerosLike() : g.mul(n.input(0).pow(p - 1).mul(p)));
            }
            case CLAMP -> {                                                                    // 1 where min <= a <= max
                OpArgs.Range r = n.args();
                NDArray a = n.input(0);
                yield one(g.mul(a.ge(r.min()).mul(a.le(r.max()))));
            }
            case SUM -> one(expandBack(g, n));                                                 // each input element got added once
            case MEAN -> {                                                                     // ... and divided by the count
                NDArray a = n.input(0);
                yield one(expandBack(g, n).div((double) a.numel() / Math.max(n.output().numel(), 1)));
            }
            case AMAX, AMIN -> {                                                               // to the extreme; split evenly among ties
                OpArgs.Reduction r = n.args();
                NDArray out = r.keepdim() ? n.output() : unsqueezeAll(n.output(), r.dims());
                NDArray mask = n.input(0).eq(out);
                yield one(expandBack(g, n).mul(mask).div(mask.sum(r.dims(), true)));
            }
            case MATMUL -> {                                                                   // d(AB) = dA·B + A·dB
                NDArray a = n.input(0), b = n.input(1);
                NDArray da = !n.needs(0) ? null : isTransposed(a) ? mT(b.matmul(mT(g))) : g.matmul(mT(b));          //   dL/dA = G·Bᵀ
                NDArray db = !n.needs(1) ? null : isTransposed(b) ? mT(mT(g).matmul(a)) : mT(a).matmul(g);          //   dL/dB = Aᵀ·G
                yield grads(n, da, db);
            }
            case SOFTMAX -> {                                                                  // y ⊙ (g - Σ g·y)
                int dim = n.<OpArgs.Dim>args().dim();
                NDArray y = n.output();
                yield one(y.mul(g.sub(g.mul(y).sum(dim, true))));
            }
            case LOG_SOFTMAX -> {                                                              // g - softmax ⊙ Σ g
                int dim = n.<OpArgs.Dim>args().dim();
                yield one(g.sub(n.output().exp().mul(g.sum(dim, true))));
            }
            case LAYER_NORM -> layerNorm(n, g);                                                // see Backend.layerNormBackward
            case CONV2D -> conv2d(n, g, n.<OpArgs.Conv>args().params());
            case CONV2D_RELU -> conv2d(n, g.binary(BinaryOp.RELU_BACKWARD, n.output()), n.<OpArgs.Conv>args().params()); // ReLU's mask from its output (> 0 where a > 0)
            case LINEAR_RELU -> {                                                              // y = relu(x·Wᵀ + b): the ReLU's mask from y, then
                NDArray gz = g.binary(BinaryOp.RELU_BACKWARD, n.output());                     //   dx = gz·W, dW = gzᵀ·x, db = Σ_rows gz
                NDArray[] r = new NDArray[n.inputs.length];
                if (n.needs(0)) r[0] = gz.matmul(n.input(1));
                if (n.needs(1)) r[1] = mT(gz).matmul(n.input(0));
                if (r.length == 3 && n.needs(2)) r[2] = gz.sum(new int[] {0}, false);
                yield r;
            }
            case ATTENTION -> attention(n, g);
            case CROSS_ENTROPY -> {                                                            // g/divisor·((1-ε)·w_t·(softmax - onehot) + smoothing): Backend.crossEntropyBackward
                OpArgs.CrossEntropy a = n.args();
                int[] rows = a.target().shape();
                NDArray divisor = a.total() == null ? null : a.total().select(0, 1).expand(rows);
                yield one(n.input(0).crossEntropyBackward(a.target(), a.weight(), a.params(), a.rowStats(), a.total() == null ? g : g.expand(rows), divisor));
            }
            case CONV2D_RELU_MAX_POOL2D -> {                                                                   // mask by pooled > 0 (= the ReLU's at each argmax), then to the argmax
                OpArgs.ConvMaxPool a = n.args();
                yield conv2d(n, g.maxPool2dBackward(a.indices(), a.convShape(), a.pool(), n.output()), a.conv());
            }
            case MAX_POOL2D -> {                                                               // to each window's maximum
                OpArgs.MaxPool a = n.args();
                yield one(g.maxPool2dBackward(a.indices(), n.input(0).shape(), a.params(), null));
            }
            case AVG_POOL2D -> one(g.avgPool2dBackward(n.<OpArgs.AvgPool>args().params(), n.input(0).shape())); // spread evenly over each window
            case LSTM_CELL -> {                                                                // all gates in one pass: see Backend.lstmCellBackward
                NDArray[] d = NDArray.lstmCellBackward(g, n.input(2), n.output(), n.<OpArgs.Saved>args().values());
                yield new NDArray[] {d[0], d[0], d[1]};                                        //   d(xGates) = d(hGates) = d(pre-activations)
            }
            case GRU_CELL -> NDArray.gruCellBackward(g, n.input(2), n.<OpArgs.Saved>args().values());  // d(xGates), d(hGates), dh: Backend.gruCellBackward
            case GRU_SEQUENCE -> {                                                             // through time: GRU_CELL's gradient per step,
                OpArgs.Recurrence r = n.args();                                                //   dh_{t-1} += dG_t·W_hh, dW_hh = Σ_t dG_tᵀ·h_{t-1}
                yield NDArray.gruSequenceBackward(g, n.input(0), n.input(2), r.states(), r.saved(), n.inputs.length == 4);
            }
            case LSTM_SEQUENCE -> {                                                            // through time: LSTM_CELL's gradient per step,
                OpArgs.Recurrence r = n.args();                                                //   dh_{t-1} = dG_t·W_hh, dW_hh = Σ_t dG_tᵀ·h_{t-1}
                yield NDArray.lstmSequenceBackward(g, n.input(3), r.states(), r.saved());
            }
            case GATHER -> {                                                                   // adjoint of gather is scatter-add
                OpArgs.Indexed ix = n.args();
                yield one(n.input(0).zerosLike().scatterAdd(ix.dim(), ix.index(), g));
            }
            case SCATTER_ADD -> {                                                              // self: identity; src: gather back
                OpArgs.Indexed ix = n.args();
                yield grads(n, g, n.needs(1) ? g.gather(ix.dim(), ix.index()) : null);
            }
            case INDEX_SELECT -> {                                                             // adjoint of index-select is index-add
                OpArgs.Indexed ix = n.args();                                                  //   (a 0-d index is one slice: made 1-D)
                yield one(n.input(0).zerosLike().indexAdd(ix.dim(), ix.index().reshape(-1), g));
            }
            case RESHAPE -> one(g.reshape(n.<OpArgs.InputShape>args().shape()));              // same elements, old shape
            case PERMUTE -> one(g.permute(inverse(n.<OpArgs.Order>args().order())));          // undo the permutation
            case EXPAND -> one(sumTo(g, n.<OpArgs.InputShape>args().shape()));                // repeated elements add up
            case SLICE, SELECT -> {                                                            // g into the view, 0 elsewhere
                NDArray full = n.input(0).zerosLike();
                viewInto(n, full).assign(g);
                yield one(full);
            }
            case CAT -> {                                                                      // each input gets its own stretch of g
                OpArgs.Sizes s = n.args();
                NDArray[] r = new NDArray[s.sizes().length];
                for (int i = 0, at = 0; i < r.length; at += s.sizes()[i], i++) r[i] = g.narrow(s.dim(), at, s.sizes()[i]);
                yield r;
            }
            case COPY -> one(g);                                                               // identity
            case CAST -> one(g.to(n.<OpArgs.Cast>args().from()));                              // back to the input's dtype
            case TO_DEVICE -> one(g.to(n.<OpArgs.Transfer>args().from()));                    // copied back to the input's device
        };
    }

    /**
     * For an op whose output is a part of its input (SLICE, SELECT): that part of {@code full}, an array of the
     * input's shape, which is where the op's gradient goes (0 elsewhere); null for any other op. The backward
     * pass adds gradients into it in place, so that the steps of a sequence, each a view of one array, do not
     * each materialise a gradient of the whole array.
     */
    static NDArray viewInto(Node n, NDArray full) {
        return switch (n.op) {
            case SLICE -> {
                OpArgs.Slice s = n.args();
                yield full.slice(s.dim(), s.start(), s.end(), s.step());
            }
            case SELECT -> {
                OpArgs.Select s = n.args();
                yield full.select(s.dim(), s.index());
            }
            default -> null;
        };
    }

    /** Gradients of conv2d's input, weight and (when there is one) bias for the output gradient {@code g}. */
    private static NDArray[] conv2d(Node n, NDArray g, ConvParams p) {
        NDArray x = n.input(0), w = n.input(1);
        NDArray[] r = new NDArray[n.inputs.length];
        if (n.needs(0)) r[0] = g.conv2dBackwardInput(w, x.shape(), p);                       // transposed convolution of g with w
        if (n.needs(1)) r[1] = g.conv2dBackwardWeight(x, w.shape(), p);                      // correlation of x with g
        if (r.length == 3 && n.needs(2)) r[2] = g.sum(new int[] {0, 2, 3}, false);             // bias: sum over batch and space
        return r;
    }

    /**
     * Gradients of layer normalisation {@code y = x̂·w + b}, {@code x̂ = (x - μ)·rstd}, for x and (where the op has them)
     * weight and bias, from the saved row statistics: {@code dx = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂))} with
     * {@code ĝ = g·w}, {@code dw = Σ g·x̂}, {@code db = Σ g} over the rows; one kernel for all three.
     */
    private static NDArray[] layerNorm(Node n, NDArray g) {
        OpArgs.LayerNorm a = n.args();
        int w = a.hasWeight() ? 1 : -1, b = a.hasBias() ? (a.hasWeight() ? 2 : 1) : -1;
        NDArray[] d = g.layerNormBackward(n.input(0), a.normalizedShape(), a.mean(), a.rstd(), w < 0 ? null : n.input(w),
                n.needs(0), w > 0 && n.needs(w), b > 0 && n.needs(b));
        NDArray[] r = new NDArray[n.inputs.length];
        r[0] = d[0];
        if (w > 0) r[w] = d[1];
        if (b > 0) r[b] = d[2];
        return r;
    }

    /**
     * Gradients of scaled dot-product attention {@code O = softmax(scale·Q·Kᵀ + mask)·V} for {@code g = dO}, from
     * the weights {@code P} the kernel recomputes with the saved log-sum-exp: {@code dV = Pᵀ·dO},
     * {@code dS = P ⊙ (dO·Vᵀ - rowsum(dO ⊙ O))}, {@code dQ = scale·dS·K}, {@code dK = scale·dSᵀ·Q}; each summed back
     * over broadcast batch dims.
     */
    private static NDArray[] attention(Node n, NDArray g) {
        OpArgs.Attention a = n.args();
        NDArray[] d = n.input(0).attentionBackward(n.input(1), n.input(2), a.mask(), a.scale(), a.causal(), n.output(), a.logSumExp(), g);
        NDArray[] r = new NDArray[3];
        for (int i = 0; i < 3; i++) if (n.needs(i)) r[i] = sumTo(d[i], n.inputs[i].shape());
        return r;
    }

    /**
     * Whether {@code x} is a matrix stored transposed (column-major), as a Linear's {@code weight.T}. Its gradient
     * {@code Aᵀ·G} is then computed as {@code (Gᵀ·A)ᵀ} (and {@code G·Bᵀ} as {@code (B·Gᵀ)ᵀ} for such an A): the same sums, but the product comes out in the layout of
     * the stored matrix, so the transpose's backward hands the leaf a contiguous gradient instead of one that
     * must be copied element by element out of a transposed view (an eighth of an MLP training step).
     */
    private static boolean isTransposed(NDArray x) {
        return x.rank() == 2 && x.shape(0) > 1 && x.shape(1) > 1 && x.stride(0) == 1 && x.stride(1) == x.shape(0);
    }

    /** The transpose of the last two dims (a view). */
    private static NDArray mT(NDArray x) {
        return x.transpose(-1, -2);
    }

    /** Gradients of a two-input op, each summed back to its input's shape (undoing broadcasting). */
    private static NDArray[] grads(Node n, NDArray ga, NDArray gb) {
        return new NDArray[] {
                ga == null || !n.needs(0) ? null : sumTo(ga, n.inputs[0].shape()),
                gb == null || !n.needs(1) ? null : sumTo(gb, n.inputs[1].shape())};
    }

    private static NDArray[] one(NDArray g) {
        return new NDArray[] {g};
    }

    /** Sums {@code g} over the dims that broadcasting added or stretched, giving it {@code shape}. */
    static NDArray sumTo(NDArray g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        int count = lead;
        for (int d = 0; d < shape.length; d++) if (shape[d] == 1 && gs[d + lead] != 1) count++;
        int[] dims = new int[count];
        int k = 0;
        for (int d = 0; d < lead; d++) dims[k++] = d;
        for (int d = 0; d < shape.length; d++) if (shape[d] == 1 && gs[d + lead] != 1) dims[k++] = d + lead;
        NDArray summed = count == 0 ? g : g.sum(dims, true);
        return summed.reshape(shape);
    }

    /** The gradient of a reduction, broadcast back over the reduced dims (a stride-0 view, no copy). */
    private static NDArray expandBack(NDArray g, Node n) {
        OpArgs.Reduction r = n.args();
        NDArray kept = r.keepdim() ? g : unsqueezeAll(g, r.dims());
        return kept.expand(n.input(0).shape());
    }

    private static NDArray unsqueezeAll(NDArray a, int[] sortedDims) {
        NDArray out = a;
        for (int d : sortedDims) out = out.unsqueeze(d);
        return out;
    }

    /** 1 where {@code a} wins against {@code b}, 0.5 on a tie, else 0 (PyTorch's rule for max/min). */
    private static NDArray tieSplit(NDArray a, NDArray b, boolean larger) {
        NDArray wins = larger ? a.gt(b) : a.lt(b);
        return wins.add(a.eq(b).mul(0.5));
    }

    /** d(aᵇ)/da = b·aᵇ⁻¹, taken as 0 where b = 0 (as PyTorch, so that 0⁰ does not give 0·0⁻¹ = NaN). */
    private static NDArray powBase(NDArray g, Node n) {
        NDArray a = n.input(0), b = n.input(1);
        NDArray safe = g.mul(b.mul(a.pow(b.sub(1))));
        return NDArray.where(b.eq(0), safe.scalarLike(0), safe);
    }

    /** d(aᵇ)/db = aᵇ·ln a, taken as 0 where a = 0 and b >= 0 (as PyTorch, to avoid 0·-inf). */
    private static NDArray powExponent(NDArray g, Node n) {
        NDArray a = n.input(0), b = n.input(1);
        NDArray safe = g.mul(n.output().mul(a.log()));
        return NDArray.where(a.eq(0).mul(b.ge(0)), safe.scalarLike(0), safe);
    }

    /** GELU'(x) = Φ(x) + x·φ(x). */
    private static NDArray geluDerivative(NDArray x) {
        NDArray cdf = x.mul(1 / Math.sqrt(2)).erf().add(1).mul(0.5);
        NDArray pdf = x.square().mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI));
        return cdf.add(x.mul(pdf));
    }

    /** Derivative of 0.5·x·(1 + tanh(u)), u = k(x + 0.044715x³), k = √(2/π). */
    private static NDArray geluTanhDerivative(NDArray x) {
        double k = Math.sqrt(2 / Math.PI), c = 0.044715;
        NDArray x2 = x.square();
        NDArray t = x.add(x2.mul(x).mul(c)).mul(k).tanh();
        NDArray du = x2.mul(3 * c).add(1).mul(k);
        return t.add(1).mul(0.5).add(x.mul(0.5).mul(t.square().rsub(1)).mul(du));
    }

    private static int[] inverse(int[] order) {
        int[] inv = new int[order.length];
        for (int i = 0; i < order.length; i++) inv[order[i]] = i;
        return inv;
    }
}
