package io.jgrad.autograd;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.PoolParams;

import java.util.Arrays;

/**
 * An {@link NDArray} that remembers how it was made, so that gradients can flow back through it.
 *
 * <p>A tensor made by the user is a <em>leaf</em>; mark the ones you want gradients for with
 * {@link #requiresGrad(boolean)}. Every operation on tensors computes its value with NDArray ops and, when
 * an input requires a gradient and {@link GradMode} is enabled, records a {@link Node}. {@link #backward()}
 * walks those nodes in reverse and accumulates {@code d(this)/d(leaf)} into each leaf's {@link #grad()}.
 *
 * <pre>{@code
 * Tensor w = Tensor.of(NDArray.of(new float[] {0.5f, -1f}, 2)).requiresGrad(true);
 * Tensor x = Tensor.of(NDArray.of(new float[] {3f, 4f}, 2));
 * Tensor loss = w.mul(x).sum().square();   // (w·x)^2
 * loss.backward();
 * System.out.println(w.grad());             // 2(w·x)·x = tensor([-15.0000, -20.0000])
 * }</pre>
 */
public final class Tensor {

    private final NDArray data;
    private final Node node;
    private boolean requiresGrad;
    private boolean retainGrad;
    private NDArray grad;
    private String name;

    private Tensor(NDArray data, Node node, boolean requiresGrad) {
        this.data = data;
        this.node = node;
        this.requiresGrad = requiresGrad;
        if (node != null) node.result = this;
    }

    // =================================================================================================
    // Creation
    // =================================================================================================

    /** A leaf over {@code data} (shared, not copied) that does not require a gradient. */
    public static Tensor of(NDArray data) {
        if (data == null) throw new IllegalArgumentException("Tensor.of: data must not be null");
        return new Tensor(data, null, false);
    }

    /** A float32 leaf holding a copy of {@code values}. */
    public static Tensor of(float[] values, int... shape) {
        return of(NDArray.of(values, shape));
    }

    /** A float64 leaf holding a copy of {@code values}. */
    public static Tensor of(double[] values, int... shape) {
        return of(NDArray.of(values, shape));
    }

    /** A leaf that requires a gradient: a trainable parameter. */
    public static Tensor parameter(NDArray data) {
        return of(data).requiresGrad(true);
    }

    public static Tensor scalar(double value) {
        return of(NDArray.scalar(value));
    }

    public static Tensor zeros(int... shape) {
        return of(NDArray.zeros(shape));
    }

    public static Tensor ones(int... shape) {
        return of(NDArray.ones(shape));
    }

    public static Tensor randn(Generator gen, int... shape) {
        return of(NDArray.randn(gen, shape));
    }

    /**
     * Records {@code op}. The result requires a gradient when recording is on, any input does and the result
     * is floating point (an integer result, such as a cast to int64, carries none, as in PyTorch); only then
     * is a node kept (so no-grad code holds no graph).
     */
    static Tensor record(Op op, NDArray out, Object args, Tensor... inputs) {
        if (GradMode.isAnomalyDetectionEnabled()) Anomalies.checkForward(op, out, inputs);
        boolean needsGrad = false;
        if (GradMode.isEnabled() && out.dtype().isFloatingPoint()) {
            for (Tensor t : inputs) needsGrad |= t.requiresGrad;
        }
        return needsGrad ? new Tensor(out, new Node(op, out, args, inputs), true) : new Tensor(out, null, false);
    }

    // =================================================================================================
    // State
    // =================================================================================================

    /** The values (shared, not copied). Writing into them behind autograd's back invalidates recorded graphs. */
    public NDArray data() {
        return data;
    }

    public int[] shape() {
        return data.shape();
    }

    public int shape(int dim) {
        return data.shape(dim);
    }

    public int rank() {
        return data.rank();
    }

    public int numel() {
        return data.numel();
    }

    public DType dtype() {
        return data.dtype();
    }

    /** Where the values live ({@link Device#CPU} for host memory). */
    public Device device() {
        return data.device();
    }

    /** The single value of a one-element tensor. */
    public double item() {
        return data.item();
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as wanting (or not) a gradient; returns this. */
    public Tensor requiresGrad(boolean value) {
        if (node != null) {
            throw new IllegalStateException("requiresGrad: only leaf tensors can change requiresGrad (this one was made by " + node.op + "); use detach()");
        }
        if (value && !dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("requiresGrad: only floating-point tensors can require gradients, got " + dtype());
        }
        requiresGrad = value;
        return this;
    }

    /** True for tensors made by the user rather than by an op. */
    public boolean isLeaf() {
        return node == null;
    }

    /** The accumulated gradient, or null before any backward pass reached this tensor. */
    public NDArray grad() {
        return grad;
    }

    /** Replaces the gradient (optimisers and tests use this); {@code null} clears it. */
    public void setGrad(NDArray value) {
        if (value != null && !Arrays.equals(value.shape(), shape())) {
            throw new IllegalArgumentException("setGrad: gradient shape " + Shapes.str(value.shape()) + " differs from tensor shape " + Shapes.str(shape()));
        }
        grad = value;
    }

    /** Clears the gradient. */
    public void zeroGrad() {
        grad = null;
    }

    /** Keeps the gradient of this non-leaf tensor after backward (leaves always keep theirs); returns this. */
    public Tensor retainGrad() {
        retainGrad = true;
        return this;
    }

    boolean retainsGrad() {
        return retainGrad || node == null;
    }

    Node node() {
        return node;
    }

    /** The name of the op that made this tensor, or null for a leaf. */
    public String gradFn() {
        return node == null ? null : node.op.name();
    }

    /** The same values cut off from the graph: a leaf that does not require a gradient. */
    public Tensor detach() {
        return of(data);
    }

    /** A label for {@link Graph#toDot}; returns this. */
    public Tensor named(String label) {
        this.name = label;
        return this;
    }

    public String name() {
        return name;
    }

    /** Adds {@code g} into this tensor's gradient (a private copy the first time). */
    void accumulateGrad(NDArray g) {
        accumulateGrad(g, false);
    }

    /**
     * Adds {@code g} into this tensor's gradient. The first time, the gradient is a private copy of {@code g}, or
     * {@code g} itself when the backward pass {@code owns} it (made it, and nothing else holds it).
     */
    void accumulateGrad(NDArray g, boolean owns) {
        if (!Arrays.equals(g.shape(), shape())) {
            throw new IllegalStateException("backward: gradient of shape " + Shapes.str(g.shape()) + " for a tensor of shape " + Shapes.str(shape())
                    + (node != null ? " made by " + node.op : ""));
        }
        if (grad == null) grad = owns ? g : g.copy();
        else grad.addInPlace(g);
    }

    // =================================================================================================
    // Backward
    // =================================================================================================

    /** Back-propagates from this one-element tensor (a loss), seeding with 1. */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalArgumentException("backward: gradient can be implicitly created only for one-element outputs, this one has shape "
                    + Shapes.str(shape()) + "; call backward(gradient)");
        }
        backward(data.scalarLike(1).reshape(shape()), false);
    }

    /** Back-propagates {@code gradient} (same shape as this tensor). */
    public void backward(NDArray gradient) {
        backward(gradient, false);
    }

    /** Back-propagates {@code gradient}; with {@code retainGraph} the graph can be walked again. */
    public void backward(NDArray gradient, boolean retainGraph) {
        if (!requiresGrad) {
            throw new IllegalStateException("backward: this tensor does not require grad and has no graph (no input required grad, or it was made under noGrad)");
        }
        if (!Arrays.equals(gradient.shape(), shape())) {
            throw new IllegalArgumentException("backward: gradient shape " + Shapes.str(gradient.shape()) + " differs from tensor shape " + Shapes.str(shape()));
        }
        if (gradient.dtype() != dtype()) {
            throw new IllegalArgumentException("backward: gradient dtype " + gradient.dtype() + " differs from tensor dtype " + dtype());
        }
        BackwardPass.run(this, gradient, retainGraph);
    }

    // =================================================================================================
    // Elementwise
    // =================================================================================================

    public Tensor add(Tensor other) { return record(Op.ADD, data.add(other.data), null, this, other); }
    public Tensor sub(Tensor other) { return record(Op.SUB, data.sub(other.data), null, this, other); }
    public Tensor mul(Tensor other) { return record(Op.MUL, data.mul(other.data), null, this, other); }
    public Tensor div(Tensor other) { return record(Op.DIV, data.div(other.data), null, this, other); }
    public Tensor pow(Tensor exponent) { return record(Op.POW, data.pow(exponent.data), null, this, exponent); }
    public Tensor maximum(Tensor other) { return record(Op.MAXIMUM, data.maximum(other.data), null, this, other); }
    public Tensor minimum(Tensor other) { return record(Op.MINIMUM, data.minimum(other.data), null, this, other); }

    public Tensor add(double s) { return add(constant(s)); }
    public Tensor sub(double s) { return sub(constant(s)); }
    public Tensor mul(double s) { return mul(constant(s)); }
    public Tensor div(double s) { return div(constant(s)); }
    /** {@code s - this}. */
    public Tensor rsub(double s) { return constant(s).sub(this); }

    private Tensor constant(double s) {
        return of(data.scalarLike(s));
    }

    /** {@code cond != 0 ? a : b} elementwise with broadcasting; {@code cond} carries no gradient. */
    public static Tensor where(NDArray cond, Tensor a, Tensor b) {
        NDArray out = NDArray.where(cond, a.data, b.data);
        return record(Op.WHERE, out, new OpArgs.Condition(cond), a, b);
    }

    public Tensor neg() { return record(Op.NEG, data.neg(), null, this); }
    public Tensor abs() { return record(Op.ABS, data.abs(), null, this); }
    public Tensor exp() { return record(Op.EXP, data.exp(), null, this); }
    public Tensor log() { return record(Op.LOG, data.log(), null, this); }
    public Tensor sqrt() { return record(Op.SQRT, data.sqrt(), null, this); }
    public Tensor tanh() { return record(Op.TANH, data.tanh(), null, this); }
    public Tensor sigmoid() { return record(Op.SIGMOID, data.sigmoid(), null, this); }
    public Tensor relu() { return record(Op.RELU, data.relu(), null, this); }

    /** {@code this ^ exponent}. */
    public Tensor pow(double exponent) {
        return record(Op.POW_SCALAR, data.pow(exponent), new OpArgs.Scalar(exponent), this);
    }

    /** {@code this * this}. */
    public Tensor square() {
        return pow(2);
    }

    /** GELU, exact or with PyTorch's tanh approximation. */
    public Tensor gelu(boolean tanhApproximation) {
        return record(Op.GELU, data.gelu(tanhApproximation), new OpArgs.Flag(tanhApproximation), this);
    }

    public Tensor gelu() {
        return gelu(false);
    }

    public Tensor leakyRelu(double negativeSlope) {
        return record(Op.LEAKY_RELU, data.leakyRelu(negativeSlope), new OpArgs.Scalar(negativeSlope), this);
    }

    /** Values limited to {@code [min, max]}; the gradient passes where {@code min <= x <= max}. */
    public Tensor clamp(double min, double max) {
        return record(Op.CLAMP, data.clamp(min, max), new OpArgs.Range(min, max), this);
    }

    // =================================================================================================
    // Reductions
    // =================================================================================================

    public Tensor sum() { return reduce(Op.SUM, null, false); }
    public Tensor sum(int dim) { return reduce(Op.SUM, new int[] {dim}, false); }
    public Tensor sum(int dim, boolean keepdim) { return reduce(Op.SUM, new int[] {dim}, keepdim); }
    public Tensor sum(int[] dims, boolean keepdim) { return reduce(Op.SUM, dims, keepdim); }
    public Tensor mean() { return reduce(Op.MEAN, null, false); }
    public Tensor mean(int dim) { return reduce(Op.MEAN, new int[] {dim}, false); }
    public Tensor mean(int dim, boolean keepdim) { return reduce(Op.MEAN, new int[] {dim}, keepdim); }
    public Tensor mean(int[] dims, boolean keepdim) { return reduce(Op.MEAN, dims, keepdim); }
    public Tensor amax(int[] dims, boolean keepdim) { return reduce(Op.AMAX, dims, keepdim); }
    public Tensor amax(int dim, boolean keepdim) { return reduce(Op.AMAX, new int[] {dim}, keepdim); }
    public Tensor amin(int[] dims, boolean keepdim) { return reduce(Op.AMIN, dims, keepdim); }
    public Tensor amin(int dim, boolean keepdim) { return reduce(Op.AMIN, new int[] {dim}, keepdim); }

    private Tensor reduce(Op op, int[] dims, boolean keepdim) {
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        int[] reduced = Shapes.dims(name, dims, rank());
        NDArray out = switch (op) {
            case SUM -> data.sum(reduced, keepdim);
            case MEAN -> data.mean(reduced, keepdim);
            case AMAX -> data.amax(reduced, keepdim);
            case AMIN -> data.amin(reduced, keepdim);
            default -> throw new AssertionError(op);
        };
        return record(op, out, new OpArgs.Reduction(reduced, keepdim), this);
    }

    /** Variance over {@code dims} with Bessel's {@code correction} (1 = unbiased), composed from mean and sum. */
    public Tensor var(int[] dims, int correction, boolean keepdim) {
        int[] reduced = Shapes.dims("var", dims, rank());
        long n = 1;
        for (int d : reduced) n *= shape()[d];
        Tensor centred = sub(mean(reduced, true));
        return centred.mul(centred).sum(reduced, keepdim).div(Math.max(n - correction, 0));
    }

    // =================================================================================================
    // Linear algebra and softmax
    // =================================================================================================

    /**
     * {@code torch.matmul}: 1-D operands are promoted to matrices by views (so their gradients flow back
     * through RESHAPE), then one batched MATMUL is recorded.
     */
    public Tensor matmul(Tensor other) {
        if (rank() == 0 || other.rank() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dim, got shapes " + Shapes.str(shape()) + " and " + Shapes.str(other.shape()));
        }
        Tensor a = rank() == 1 ? unsqueeze(0) : this;
        Tensor b = other.rank() == 1 ? other.unsqueeze(1) : other;
        Tensor out = record(Op.MATMUL, a.data.matmul(b.data), null, a, b);
        if (other.rank() == 1) out = out.squeeze(-1);
        if (rank() == 1) out = out.squeeze(out.rank() == 1 ? 0 : -2);
        return out;
    }

    /** {@code x·Wᵀ + b} with {@code weight [out, in]} as in PyTorch; {@code bias} may be null. */
    public Tensor linear(Tensor weight, Tensor bias) {
        requireLinearShapes("linear", weight);
        if (rank() <= 2) {
            Tensor y = matmul(weight.transpose(0, 1));
            if (bias == null) return y;
            boolean recordsBias = y.requiresGrad || (GradMode.isEnabled() && bias.requiresGrad) || GradMode.isAnomalyDetectionEnabled();
            if (!recordsBias && bias.dtype() == y.dtype() && bias.rank() == 1 && bias.shape(0) == y.shape(-1)) {
                // Nothing to record (inference): the bias goes into the product's fresh result, not into a third array.
                y.data.addInPlace(bias.data);
                return y;
            }
            return y.add(bias);
        }
        // [*, in] as one [rows, in] matrix, as PyTorch: a batched matmul would broadcast the weight, and its
        // gradient would be one product per batch entry, materialised and then summed.
        int rows = Shapes.numel(Arrays.copyOf(shape(), rank() - 1));
        Tensor y = reshape(rows, shape(-1)).linear(weight, bias);
        return y.reshape(Shapes.concat(Arrays.copyOf(shape(), rank() - 1), weight.shape(0)));
    }

    /**
     * {@code linear(weight, bias).relu()} as one node: on a GPU the bias and the ReLU are one pass over the product
     * instead of two (the ReLU's mask in the backward pass comes from the output); the same values and gradients.
     * The input is {@code [..., in]} as for {@link #linear}.
     */
    public Tensor linearRelu(Tensor weight, Tensor bias) {
        requireLinearShapes("linearRelu", weight);
        if (rank() != 2) {
            int[] lead = Arrays.copyOf(shape(), rank() - 1);
            Tensor y = reshape(Shapes.numel(lead), shape(-1)).linearRelu(weight, bias);
            return y.reshape(Shapes.concat(lead, weight.shape(0)));
        }
        NDArray out = data.linearRelu(weight.data, bias == null ? null : bias.data);
        return bias == null ? record(Op.LINEAR_RELU, out, null, this, weight) : record(Op.LINEAR_RELU, out, null, this, weight, bias);
    }

    private void requireLinearShapes(String op, Tensor weight) {
        if (weight.rank() != 2) throw new IllegalArgumentException(op + ": weight must be [out_features, in_features], got shape " + Shapes.str(weight.shape()));
        if (rank() == 0 || shape(-1) != weight.shape(1)) {
            throw new IllegalArgumentException(op + ": input shape " + Shapes.str(shape()) + " does not end in in_features=" + weight.shape(1) + " of weight " + Shapes.str(weight.shape()));
        }
    }

    /**
     * Layer normalisation over the trailing {@code normalizedShape} dims, {@code (x - mean)/√(var + eps)·weight +
     * bias} with the biased variance, as one node ({@code weight} and {@code bias} of {@code normalizedShape}, or
     * null). The same values and gradients as the composition of mean, sub, square, add, sqrt, div, mul and add
     * ({@code LayerNorm}'s reference), without its seven temporaries forward and its longer chain backward.
     */
    public Tensor layerNorm(int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        NDArray[] outMeanRstd = data.layerNormWithStatistics(normalizedShape, weight == null ? null : weight.data, bias == null ? null : bias.data, eps);
        OpArgs.LayerNorm args = new OpArgs.LayerNorm(normalizedShape.clone(), outMeanRstd[1], outMeanRstd[2], weight != null, bias != null);
        Tensor[] inputs = weight == null && bias == null ? new Tensor[] {this}
                : weight == null ? new Tensor[] {this, bias} : bias == null ? new Tensor[] {this, weight} : new Tensor[] {this, weight, bias};
        return record(Op.LAYER_NORM, outMeanRstd[0], args, inputs);
    }

    public Tensor softmax(int dim) {
        int d = Shapes.dim("softmax", dim, rank());
        return record(Op.SOFTMAX, data.softmax(d), new OpArgs.Dim(d), this);
    }

    public Tensor logSoftmax(int dim) {
        int d = Shapes.dim("logSoftmax", dim, rank());
        return record(Op.LOG_SOFTMAX, data.logSoftmax(d), new OpArgs.Dim(d), this);
    }

    /**
     * Class-index cross-entropy of these logits {@code [N, C, d...]} (classes in dim 1) against the int64
     * {@code target [N, d...]}, reduced to its weighted mean ({@code Σ loss / Σ w_t}, PyTorch's) or its sum, as
     * one node: {@code nllLoss(logSoftmax(x, 1), target)} with optional class weights (no gradient) and label
     * smoothing, without the {@code [N, C]} log-probabilities as separate arrays or the target read to the host.
     * A target outside {@code [0, C)} other than {@code p.ignoreIndex()} is an error (on a GPU, at the next read).
     */
    public Tensor crossEntropy(NDArray target, NDArray weight, CrossEntropyParams p, boolean mean) {
        NDArray[] lossStatsTotal = data.crossEntropyReduced(target, weight, p, mean);
        NDArray total = lossStatsTotal[2];
        return record(Op.CROSS_ENTROPY, total.select(0, 0), new OpArgs.CrossEntropy(target, weight, p, lossStatsTotal[1], total), this);
    }

    /** {@link #crossEntropy} without the reduction: the loss of each element, {@code [N, d...]}. */
    public Tensor crossEntropyPerElement(NDArray target, NDArray weight, CrossEntropyParams p) {
        NDArray[] lossAndStats = data.crossEntropy(target, weight, p);
        return record(Op.CROSS_ENTROPY, lossAndStats[0], new OpArgs.CrossEntropy(target, weight, p, lossAndStats[1], null), this);
    }

    /**
     * Scaled dot-product attention of this query {@code [..., L, E]} over {@code key [..., S, E]} and
     * {@code value [..., S, Ev]} (batch dims broadcast), {@code softmax(scale·q·kᵀ + mask)·v}, as one fused op:
     * the {@code [L, S]} weights are neither returned nor kept for the backward pass, which recomputes them.
     * {@code mask} (null for none, no gradient) is additive and broadcasts to {@code [..., L, S]}; {@code causal}
     * hides every key after the query's position. A query that sees no key gets a zero output.
     */
    public Tensor attention(Tensor key, Tensor value, NDArray mask, double scale, boolean causal) {
        NDArray[] outAndLse = data.attention(key.data, value.data, mask, scale, causal);
        return record(Op.ATTENTION, outAndLse[0], new OpArgs.Attention(mask, scale, causal, outAndLse[1]), this, key, value);
    }

    // =================================================================================================
    // Recurrent cells
    // =================================================================================================

    /**
     * One LSTM step as one node: {@code xGates}, {@code hGates} {@code [N, 4H]} (the input and hidden
     * projections, gate blocks i, f, g, o as in PyTorch) and the cell state {@code c [N, H]} give {@code [2, N,
     * H]}: h' at index 0, c' at index 1 (see {@code Backend.lstmCell}). The same values and gradients as the
     * composition of sigmoid, tanh, mul and add, in one pass each way.
     */
    public static Tensor lstmCell(Tensor xGates, Tensor hGates, Tensor c) {
        NDArray[] hcAndGates = NDArray.lstmCell(xGates.data, hGates.data, c.data);
        return record(Op.LSTM_CELL, hcAndGates[0], new OpArgs.Saved(hcAndGates[1]), xGates, hGates, c);
    }

    /**
     * One GRU step as one node: {@code xGates = W_ih x + b_ih}, {@code hGates = W_hh h + b_hh} {@code [N, 3H]}
     * (gate blocks r, z, n as in PyTorch) and the state {@code h [N, H]} give h' {@code [N, H]} (see
     * {@code Backend.gruCell}).
     */
    public static Tensor gruCell(Tensor xGates, Tensor hGates, Tensor h) {
        NDArray[] outAndSaved = NDArray.gruCell(xGates.data, hGates.data, h.data);
        return record(Op.GRU_CELL, outAndSaved[0], new OpArgs.Saved(outAndSaved[1]), xGates, hGates, h);
    }

    /**
     * A GRU layer over a sequence as one node: {@code xGates [L, N, 3H]} (the input projection {@code W_ih x + b_ih}
     * of every step, time-major), the initial state {@code h0 [N, H]}, {@code weightHh [3H, H]} and {@code biasHh
     * [3H]} (or null) give the state after each step, {@code [L, N, H]}. The values of {@link #gruCell} at each
     * step with {@code hGates = h.linear(weightHh, biasHh)}; the backward pass computes the hidden weight's
     * gradient once for all steps ({@code NDArray.gruSequence}).
     */
    public static Tensor gruSequence(Tensor xGates, Tensor h0, Tensor weightHh, Tensor biasHh) {
        NDArray[] statesAndSaved = NDArray.gruSequence(xGates.data, h0.data, weightHh.data, biasHh == null ? null : biasHh.data);
        NDArray states = statesAndSaved[0], out = states.narrow(0, 1, states.shape(0) - 1);
        OpArgs.Recurrence args = new OpArgs.Recurrence(states, statesAndSaved[1]);
        return biasHh == null ? record(Op.GRU_SEQUENCE, out, args, xGates, h0, weightHh) : record(Op.GRU_SEQUENCE, out, args, xGates, h0, weightHh, biasHh);
    }

    /**
     * An LSTM layer over a sequence as one node: {@code xGates [L, N, 4H]} (the input projection with both biases,
     * time-major), the initial states {@code h0}, {@code c0 [N, H]} and {@code weightHh [4H, H]} give {@code [2, L,
     * N, H]}: the h (index 0) and c (index 1) after each step. The values of {@link #lstmCell} at each step with
     * {@code hGates = h.linear(weightHh, null)} ({@code NDArray.lstmSequence}).
     */
    public static Tensor lstmSequence(Tensor xGates, Tensor h0, Tensor c0, Tensor weightHh) {
        NDArray[] statesAndGates = NDArray.lstmSequence(xGates.data, h0.data, c0.data, weightHh.data);
        NDArray states = statesAndGates[0], out = states.narrow(1, 1, states.shape(1) - 1);
        return record(Op.LSTM_SEQUENCE, out, new OpArgs.Recurrence(states, statesAndGates[1]), xGates, h0, c0, weightHh);
    }

    // =================================================================================================
    // Convolution and pooling
    // =================================================================================================

    /** 2-D convolution of this {@code [N, C, H, W]} input; {@code bias} may be null. */
    public Tensor conv2d(Tensor weight, Tensor bias, ConvParams p) {
        NDArray out = data.conv2d(weight.data, bias == null ? null : bias.data, p);
        return bias == null ? record(Op.CONV2D, out, new OpArgs.Conv(p), this, weight) : record(Op.CONV2D, out, new OpArgs.Conv(p), this, weight, bias);
    }

    /**
     * {@code conv2d(weight, bias, p).relu()} as one kernel and one node: the pre-activation output is never
     * stored, and the gradient reads the ReLU's mask from the output (positive exactly where the pre-activation
     * is). The same values and gradients as the composition.
     */
    public Tensor conv2dRelu(Tensor weight, Tensor bias, ConvParams p) {
        NDArray out = data.conv2dRelu(weight.data, bias == null ? null : bias.data, p);
        return bias == null ? record(Op.CONV2D_RELU, out, new OpArgs.Conv(p), this, weight) : record(Op.CONV2D_RELU, out, new OpArgs.Conv(p), this, weight, bias);
    }

    /**
     * {@code conv2dRelu(weight, bias, conv).maxPool2d(pool)} as one node: the convolution's output is dropped once
     * pooled (the node keeps the pooled output and the argmax, a quarter of it for 2x2 windows), and the gradient
     * masks the pooled gradient by {@code pooled > 0} before sending it to the argmax: the ReLU's mask at each
     * window's winner, so the ReLU's full-size backward pass and its array are saved. The same values and gradients
     * as the composition, bit for bit (the mask selects, it does not multiply).
     */
    public Tensor conv2dReluMaxPool2d(Tensor weight, Tensor bias, ConvParams conv, PoolParams pool) {
        NDArray activations = data.conv2dRelu(weight.data, bias == null ? null : bias.data, conv);
        NDArray[] outAndIndices = activations.maxPool2dWithIndices(pool);
        OpArgs.ConvMaxPool args = new OpArgs.ConvMaxPool(conv, pool, outAndIndices[1], activations.shape());
        return bias == null ? record(Op.CONV2D_RELU_MAX_POOL2D, outAndIndices[0], args, this, weight)
                : record(Op.CONV2D_RELU_MAX_POOL2D, outAndIndices[0], args, this, weight, bias);
    }

    /** 1-D convolution of this {@code [N, C, L]} input, run as a conv2d over a height-1 image. */
    public Tensor conv1d(Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        if (rank() != 3) throw new IllegalArgumentException("conv1d: input must be [N, C, L], got shape " + Shapes.str(shape()));
        if (weight.rank() != 3) throw new IllegalArgumentException("conv1d: weight must be [O, C/groups, K], got shape " + Shapes.str(weight.shape()));
        return unsqueeze(2).conv2d(weight.unsqueeze(2), bias, NDArray.conv1dParams(stride, padding, dilation, groups)).squeeze(2);
    }

    public Tensor maxPool2d(PoolParams p) {
        NDArray[] outAndIndices = data.maxPool2dWithIndices(p);
        return record(Op.MAX_POOL2D, outAndIndices[0], new OpArgs.MaxPool(p, outAndIndices[1]), this);
    }

    public Tensor avgPool2d(PoolParams p) {
        return record(Op.AVG_POOL2D, data.avgPool2d(p), new OpArgs.AvgPool(p), this);
    }

    // =================================================================================================
    // Indexing
    // =================================================================================================

    /** {@code torch.gather}; {@code index} (int64) carries no gradient. */
    public Tensor gather(int dim, NDArray index) {
        int d = Shapes.dim("gather", dim, rank());
        return record(Op.GATHER, data.gather(d, index), new OpArgs.Indexed(d, index), this);
    }

    /** {@code torch.scatter_add} (out of place): gradients flow to this tensor and to {@code src}. */
    public Tensor scatterAdd(int dim, NDArray index, Tensor src) {
        int d = Shapes.dim("scatterAdd", dim, rank());
        return record(Op.SCATTER_ADD, data.scatterAdd(d, index, src.data), new OpArgs.Indexed(d, index), this, src);
    }

    /** {@code torch.index_select} with a 1-D int64 index. */
    public Tensor indexSelect(int dim, NDArray index) {
        int d = Shapes.dim("indexSelect", dim, rank());
        return record(Op.INDEX_SELECT, data.indexSelect(d, index), new OpArgs.Indexed(d, index), this);
    }

    /** Rows of this {@code [num, dim]} table at int64 {@code indices} of any shape: {@code F.embedding(indices, this)}. */
    public Tensor embedding(NDArray indices) {
        if (rank() != 2) throw new IllegalArgumentException("embedding: weight must be [num_embeddings, embedding_dim], got shape " + Shapes.str(shape()));
        return indexSelect(0, indices.reshape(-1)).reshape(Shapes.concat(indices.shape(), shape(1)));
    }

    // =================================================================================================
    // Views and copies
    // =================================================================================================

    public Tensor reshape(int... newShape) {
        return record(Op.RESHAPE, data.reshape(newShape), new OpArgs.InputShape(shape()), this);
    }

    public Tensor view(int... newShape) {
        return record(Op.RESHAPE, data.view(newShape), new OpArgs.InputShape(shape()), this);
    }

    public Tensor flatten() {
        return reshape(-1);
    }

    /** Flattens dims {@code startDim..} into one, as {@code torch.flatten(x, startDim)}. */
    public Tensor flatten(int startDim) {
        int s = Shapes.dim("flatten", startDim, rank());
        return reshape(Shapes.concat(Arrays.copyOf(shape(), s), -1));
    }

    public Tensor squeeze() {
        return record(Op.RESHAPE, data.squeeze(), new OpArgs.InputShape(shape()), this);
    }

    public Tensor squeeze(int dim) {
        return record(Op.RESHAPE, data.squeeze(dim), new OpArgs.InputShape(shape()), this);
    }

    public Tensor unsqueeze(int dim) {
        return record(Op.RESHAPE, data.unsqueeze(dim), new OpArgs.InputShape(shape()), this);
    }

    public Tensor permute(int... order) {
        NDArray out = data.permute(order);
        int[] normalised = new int[order.length];
        for (int i = 0; i < order.length; i++) normalised[i] = Shapes.dim("permute", order[i], rank());
        return record(Op.PERMUTE, out, new OpArgs.Order(normalised), this);
    }

    public Tensor transpose(int dim0, int dim1) {
        return permute(Shapes.transposeOrder("transpose", dim0, dim1, rank()));
    }

    public Tensor expand(int... newShape) {
        return record(Op.EXPAND, data.expand(newShape), new OpArgs.InputShape(shape()), this);
    }

    public Tensor slice(int dim, int start, int end, int step) {
        int d = Shapes.dim("slice", dim, rank());
        return record(Op.SLICE, data.slice(d, start, end, step), new OpArgs.Slice(d, start, end, step), this);
    }

    public Tensor narrow(int dim, int start, int length) {
        int d = Shapes.dim("narrow", dim, rank());
        NDArray out = data.narrow(d, start, length);
        int s = start < 0 ? start + shape(d) : start;
        return record(Op.SLICE, out, new OpArgs.Slice(d, s, s + length, 1), this);
    }

    public Tensor select(int dim, int index) {
        int d = Shapes.dim("select", dim, rank());
        NDArray out = data.select(d, index);
        return record(Op.SELECT, out, new OpArgs.Select(d, index < 0 ? index + shape(d) : index), this);
    }

    /** A contiguous copy (gradient passes through unchanged). */
    public Tensor contiguous() {
        return data.isContiguous() ? this : record(Op.COPY, data.copy(), null, this);
    }

    /** A copy that never shares storage with this tensor. */
    public Tensor copy() {
        return record(Op.COPY, data.copy(), null, this);
    }

    /** Converted to {@code dtype}; the gradient is converted back. */
    public Tensor to(DType dtype) {
        return dtype == dtype() ? this : record(Op.CAST, data.to(dtype), new OpArgs.Cast(dtype()), this);
    }

    /**
     * A copy on {@code device} (this tensor when it is already there), as PyTorch's {@code x.to(device)}: the
     * result is a node of the graph, and its gradient is copied back to this tensor's device. An op on tensors of
     * two devices fails naming the op and both devices; move one of them first.
     */
    public Tensor to(Device device) {
        return device.equals(device()) ? this : record(Op.TO_DEVICE, data.to(device), new OpArgs.Transfer(device()), this);
    }

    public static Tensor cat(int dim, Tensor... tensors) {
        if (tensors.length == 0) throw new IllegalArgumentException("cat: needs at least one tensor");
        NDArray[] arrays = new NDArray[tensors.length];
        for (int i = 0; i < tensors.length; i++) arrays[i] = tensors[i].data;
        NDArray out = NDArray.cat(dim, arrays);
        int d = Shapes.dim("cat", dim, tensors[0].rank());
        int[] sizes = new int[tensors.length];
        for (int i = 0; i < tensors.length; i++) sizes[i] = tensors[i].shape(d);
        return record(Op.CAT, out, new OpArgs.Sizes(d, sizes), tensors);
    }

    public static Tensor stack(int dim, Tensor... tensors) {
        if (tensors.length == 0) throw new IllegalArgumentException("stack: needs at least one tensor");
        int d = Shapes.dim("stack", dim, tensors[0].rank() + 1);
        Tensor[] lifted = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            if (!Arrays.equals(tensors[i].shape(), tensors[0].shape())) {
                throw new IllegalArgumentException("stack: shapes " + Shapes.str(tensors[0].shape()) + " and " + Shapes.str(tensors[i].shape()) + " differ");
            }
            lifted[i] = tensors[i].unsqueeze(d);
        }
        return cat(d, lifted);
    }

    // =================================================================================================
    // Printing
    // =================================================================================================

    @Override
    public String toString() {
        String s = data.toString();
        String suffix = node != null ? ", gradFn=" + node.op : requiresGrad ? ", requiresGrad=true" : "";
        return suffix.isEmpty() ? s : s.substring(0, s.length() - 1) + suffix + ")";
    }
}
