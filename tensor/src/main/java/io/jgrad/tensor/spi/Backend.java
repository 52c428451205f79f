package io.jgrad.tensor.spi;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;

import java.util.List;

/**
 * The kernels of one device. {@code NDArray} validates every argument (shapes, dims, dtypes, devices)
 * before it calls a kernel, so implementations may assume valid input ("check at the facade, assert
 * inside"). Unless a method says otherwise:
 * <ul>
 *   <li>every array may be any strided view (transposed, sliced, expanded with stride 0), and kernels must
 *       honour strides and offsets rather than assume contiguity;</li>
 *   <li>{@code out} is written completely and never aliases an input except where the input and output
 *       elements coincide one to one (in-place elementwise ops);</li>
 *   <li>all arrays are on {@link #device()} and floating-point arguments share one dtype;</li>
 *   <li>nothing is empty: {@code NDArray} calls no kernel whose output has no elements, and none that would
 *       sum over an empty dim (a matmul with {@code K = 0}, a weight gradient over an empty batch), whose
 *       answer is the zeros it allocated.</li>
 * </ul>
 * The reference backend in {@code kernels/cpu} defines the semantics; every other backend is tested against
 * it.
 */
public interface Backend {

    /** Short name used by {@code -Djgrad.backend=NAME}, e.g. {@code reference}, {@code vector}. */
    String name();

    Device device();

    /**
     * What the device is, for reports ({@code jgrad bench}, {@code jgrad info}): the GPU's name where the backend
     * knows it. The default is {@link #device()}.
     */
    default String deviceName() {
        return device().toString();
    }

    /**
     * Waits until every kernel and copy this backend has queued has finished. GPU backends queue work and return
     * (the host waits only where it reads a value); timing a kernel, or a training step, needs this at its end.
     * Host backends finish every call before returning: the default does nothing.
     */
    default void synchronize() {
    }

    /**
     * Starts recording this backend's commands instead of running them, for replaying them as one unit (see
     * {@link CommandRecording}: what a recording may contain); null where the backend cannot record (the default:
     * host backends and OpenCL run each call as it comes).
     */
    default CommandRecording beginRecording() {
        return null;
    }

    /**
     * The counters of this backend's device allocator (see {@link MemoryStats}), for watching a long run's memory;
     * {@link MemoryStats#UNKNOWN} for backends that keep none (the default).
     */
    default MemoryStats memoryStats() {
        return MemoryStats.UNKNOWN;
    }

    /**
     * Kernels this backend has launched since it started, for seeing how launch-bound a small model's step is on
     * a GPU ({@code jgrad bench epoch} prints it per step); -1 for backends that keep no count (the default: host
     * backends run Java, not launches).
     */
    default long kernelLaunches() {
        return -1;
    }

    /**
     * Reads of device memory by the host since the backend started ({@link #toHost}): each waits for every queued
     * kernel, so a training step should make none (a GPU step that reads a value stalls until its forward pass is
     * done); -1 for backends that keep no count (the default: host memory is read in place).
     */
    default long hostReads() {
        return -1;
    }

    // ---- memory ---------------------------------------------------------------------------------

    /** A zero-filled storage of {@code size} elements. */
    Storage allocate(DType dtype, int size);

    /**
     * A storage of {@code size} elements whose contents are undefined, for the output of a kernel that writes every
     * element of it: on a GPU the zero fill is one more command per op (half the commands of a training step
     * were fills). The default is {@link #allocate} (host memory comes zeroed anyway).
     */
    default Storage allocateUninitialized(DType dtype, int size) {
        return allocate(dtype, size);
    }

    /** A storage on this device holding a copy of {@code host} (host backends may return it unchanged). */
    Storage fromHost(HostStorage host);

    /** The contents of {@code storage} in host memory (host backends may return it unchanged). */
    HostStorage toHost(Storage storage);

    // ---- elementwise ----------------------------------------------------------------------------

    /** {@code dst[i] = src[i]} for arrays of equal shape, converting the dtype when they differ. */
    void copy(NDArray src, NDArray dst);

    void fill(NDArray dst, double value);

    /**
     * {@code out = op(x)}; {@code alpha} and {@code beta} are the scalar parameters of the ops that take
     * them (see {@link UnaryOp}).
     */
    void unary(UnaryOp op, NDArray x, NDArray out, double alpha, double beta);

    /** {@code out = a op b}; {@code a}, {@code b} and {@code out} have the same shape (broadcasting is done by expanded views). */
    void binary(BinaryOp op, NDArray a, NDArray b, NDArray out);

    /** {@code out = cond != 0 ? a : b}, all four of one shape; {@code cond} may have any dtype. */
    void where(NDArray cond, NDArray a, NDArray b, NDArray out);

    // ---- reductions -----------------------------------------------------------------------------

    /** {@code out} has the rank of {@code x} with size 1 in every reduced dim and equal size elsewhere. */
    void reduce(ReduceOp op, NDArray x, NDArray out);

    /** Index (int64) of the largest ({@code max}) or smallest element along {@code dim}; first one on ties. {@code out} has size 1 in {@code dim}. */
    void argReduce(boolean max, NDArray x, int dim, NDArray out);

    // ---- linear algebra -------------------------------------------------------------------------

    /** Batched matrix product {@code [..., M, K] x [..., K, N] -> [..., M, N]}; the batch dims of all three are equal. */
    void matmul(NDArray a, NDArray b, NDArray out);

    /**
     * {@code out = activation(x·weightᵀ + bias)}: a Linear layer's forward with {@code x [N, in]} ({@code in > 0}),
     * {@code weight [out, in]}, {@code bias [out]} or null, {@code activation} {@link UnaryOp#RELU} or null, and
     * {@code out [N, out]} fresh. The default is the product, then the bias and the activation in place; GPU
     * backends add the bias and apply the ReLU in one pass over the product.
     */
    default void linear(NDArray x, NDArray weight, NDArray bias, UnaryOp activation, NDArray out) {
        matmul(x, weight.transpose(0, 1), out);
        if (bias != null) binary(BinaryOp.ADD, out, bias.expand(out.shape()), out);
        if (activation != null) unary(activation, out, out, 0, 0);
    }

    // ---- softmax family -------------------------------------------------------------------------

    /** Numerically stable softmax (or log-softmax when {@code log}) along {@code dim}. */
    void softmax(NDArray x, int dim, boolean log, NDArray out);

    // ---- normalisation --------------------------------------------------------------------------

    /**
     * Layer normalisation of each row of {@code x [rows, n]}: {@code out = (x - mean) / sqrt(var + eps) · weight
     * + bias}, mean and biased variance over the row; {@code weight} and {@code bias} are {@code [n]} or null,
     * {@code out} is contiguous. {@code mean} and {@code rstd} ({@code [rows]}, contiguous) are null, or receive each
     * row's mean and {@code 1/sqrt(var + eps)} for {@link #layerNormBackward}. The default is the composition of
     * reductions and elementwise ops.
     */
    default void layerNorm(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, NDArray mean, NDArray rstd) {
        NDArray mu = x.mean(1, true);
        NDArray centred = x.sub(mu);
        NDArray std = centred.square().mean(1, true).add(eps).sqrt();
        NDArray y = centred.div(std);
        if (weight != null) y = y.mul(weight);
        if (bias != null) y = y.add(bias);
        out.assign(y);
        if (mean != null) mean.assign(mu.reshape(x.shape(0)));
        if (rstd != null) rstd.assign(std.scalarLike(1).div(std).reshape(x.shape(0)));
    }

    /**
     * The gradients of {@link #layerNorm} for {@code gradOut [rows, n]}, from the forward's {@code x}, {@code mean}
     * and {@code rstd}: with {@code x̂ = (x - mean)·rstd} and {@code ĝ = gradOut·weight} ({@code gradOut} when
     * {@code weight} is null), {@code gradInput = rstd·(ĝ - meanⱼ(ĝ) - x̂·meanⱼ(ĝ·x̂))} over each row,
     * {@code gradWeight = Σ_rows gradOut·x̂} and {@code gradBias = Σ_rows gradOut}. The outputs (contiguous,
     * {@code [rows, n]}, {@code [n]}, {@code [n]}) are overwritten; any of them may be null (not wanted). The
     * default is the composition of reductions and elementwise ops.
     */
    default void layerNormBackward(NDArray gradOut, NDArray x, NDArray mean, NDArray rstd, NDArray weight,
                                   NDArray gradInput, NDArray gradWeight, NDArray gradBias) {
        int rows = x.shape(0);
        NDArray r = rstd.reshape(rows, 1);
        NDArray xHat = x.sub(mean.reshape(rows, 1)).mul(r);
        if (gradInput != null) {
            NDArray gHat = weight == null ? gradOut : gradOut.mul(weight);
            gradInput.assign(gHat.sub(gHat.mean(1, true)).sub(xHat.mul(gHat.mul(xHat).mean(1, true))).mul(r));
        }
        if (gradWeight != null) gradWeight.assign(gradOut.mul(xHat).sum(0));
        if (gradBias != null) gradBias.assign(gradOut.sum(0));
    }

    // ---- cross-entropy (class indices) ----------------------------------------------------------
    // One pass per row instead of log-softmax, gather, masks and sums as separate kernels: a classification
    // step's loss costs three launches on a GPU, and no target is read back to the host for its range check.

    /**
     * Per row {@code i} of the logits {@code x [...rows, C]} (the classes last, {@code C > 0}) with the int64
     * class index {@code t = target[i]} ({@code target [...rows]}), optional class weights {@code weight [C]}
     * ({@code w_c}, all 1 when null) and {@code ε = p.labelSmoothing()}: with {@code logp_c = x_c - lse},
     * {@code m = (t != ignoreIndex)} and {@code w_t} the target's weight times {@code m},
     * {@code loss[i] = (1 - ε)·(-w_t·logp_t) + ε/C·m·Σ_c(-w_c·logp_c)}. {@code rowStats [...rows, 3]} receives
     * what the backward pass needs: the row's maximum, {@code log Σ_c exp(x_c - max)} and {@code w_t}. A target
     * outside {@code [0, C)} that is not {@code ignoreIndex} is bad input: host backends throw
     * {@code IllegalArgumentException}; GPU backends give that row a NaN loss and report it at their next read.
     * {@code loss} and {@code rowStats} are contiguous; the other arrays may be any views.
     */
    void crossEntropy(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray loss, NDArray rowStats);

    /**
     * Reduces {@link #crossEntropy}'s rows into {@code total [2]} (contiguous): {@code total[0]} is {@code Σ loss}
     * when not {@code mean}, else {@code Σ loss / Σ w_t} (PyTorch's weighted mean; NaN when every row is ignored),
     * and {@code total[1]} the divisor the gradient uses: 1 for the sum, {@code Σ w_t} for the mean (1 when that
     * is 0, so that the gradient of a fully ignored batch is 0, not NaN).
     */
    void crossEntropyTotal(NDArray loss, NDArray rowStats, boolean mean, NDArray total);

    /**
     * {@link #crossEntropy} then {@link #crossEntropyTotal} (the reduced loss of a training step, rows non-empty):
     * the same {@code loss}, {@code rowStats} and {@code total}. This default makes the two calls; GPU backends
     * make one launch of both when the logits are few ({@link KernelDefines#CROSS_ENTROPY_ONE_GROUP_LOGITS}).
     */
    default void crossEntropyReduced(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, boolean mean,
                                     NDArray loss, NDArray rowStats, NDArray total) {
        crossEntropy(x, target, weight, p, loss, rowStats);
        crossEntropyTotal(loss, rowStats, mean, total);
    }

    /**
     * The gradient of {@link #crossEntropy} with respect to {@code x}: with {@code p_c = exp(x_c - max - logSum)},
     * {@code W = Σ_c w_c} and {@code s = gradLoss[i] / divisor[i]},
     * {@code gradX[i, c] = s·((1 - ε)·w_t·(p_c - [c = t]) + ε/C·m·(W·p_c - w_c))}. {@code gradLoss} and
     * {@code divisor} are {@code [...rows]} views (a reduced loss's gradient and {@code total[1]} expanded with
     * stride 0; {@code divisor} null for 1); {@code gradX} has x's shape and is overwritten.
     */
    void crossEntropyBackward(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray rowStats,
                              NDArray gradLoss, NDArray divisor, NDArray gradX);

    // ---- attention ------------------------------------------------------------------------------

    /**
     * Scaled dot-product attention with the sizes of {@code g}: for each batch index and query {@code i},
     * {@code sᵢⱼ = g.scale()·qᵢ·kⱼ + maskᵢⱼ} over the keys {@code j} the query may see (all, or {@code j <= i} when
     * {@code g.causal()}), {@code out[i] = Σⱼ softmaxⱼ(sᵢ)·vⱼ} and {@code logSumExp[i] = log Σⱼ exp(sᵢⱼ)}.
     * {@code q}, {@code k}, {@code v} are views of shape {@code [...batch, L, E]}, {@code [...batch, S, E]},
     * {@code [...batch, S, Ev]} (broadcast batch dims expanded); {@code mask} is null or an additive array of the
     * inputs' dtype viewed as {@code [...batch, L, S]} (0 to attend, -inf to hide); {@code out [...batch, L, Ev]} and
     * {@code logSumExp [...batch, L]} are contiguous. A query that sees no key (all its scores -inf) gets a zero
     * output and a log-sum-exp of -inf. The default is the composition of matmul, softmax pieces and matmul, which
     * stores the {@code [L, S]} weights; a backend overrides it to keep only blocks of them.
     */
    default void attention(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray logSumExp) {
        ComposedAttention.forward(q, k, v, mask, g, out, logSumExp);
    }

    /**
     * The gradients of {@link #attention} with respect to {@code q}, {@code k} and {@code v} for the output
     * gradient {@code gradOut}, given the {@code out} and {@code logSumExp} that the forward computed (from which
     * the weights are recomputed). {@code gradQ}, {@code gradK}, {@code gradV} (contiguous, of the shapes of the
     * expanded inputs) are overwritten.
     */
    default void attentionBackward(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray logSumExp,
                                   NDArray gradOut, NDArray gradQ, NDArray gradK, NDArray gradV) {
        ComposedAttention.backward(q, k, v, mask, g, out, logSumExp, gradOut, gradQ, gradK, gradV);
    }

    // ---- convolution (NCHW; conv1d is conv2d with height 1) --------------------------------------
    // NDArray checks the shapes and passes their ConvGeometry / PoolGeometry, whose sizes the kernels read.

    /** {@code input [N, C, H, W]}, {@code weight [O, C/groups, kH, kW]}, optional {@code bias [O]}, {@code out [N, O, outH, outW]}. */
    void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, NDArray out);

    /**
     * {@link #conv2d} with {@code activation} applied to every output element ({@code null}: none), an op
     * without scalar parameters such as {@link UnaryOp#RELU}. The default is the composition, conv2d then the
     * activation in place; a backend overrides it to apply the activation while the output is still in cache
     * (the vector backend: in the GEMM's write-back), with the same result.
     */
    default void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, UnaryOp activation, NDArray out) {
        conv2d(input, weight, bias, g, out);
        if (activation != null) unary(activation, out, out, 0, 0);
    }

    /** Gradient of conv2d with respect to its input; {@code gradInput} is overwritten. */
    void conv2dBackwardInput(NDArray gradOut, NDArray weight, ConvGeometry g, NDArray gradInput);

    /** Gradient of conv2d with respect to its weight; {@code gradWeight} is overwritten. */
    void conv2dBackwardWeight(NDArray input, NDArray gradOut, ConvGeometry g, NDArray gradWeight);

    // ---- pooling (NCHW) -------------------------------------------------------------------------

    /**
     * Max pooling. {@code indices} (int64, shape of {@code out}) receives, as PyTorch does, the flat position
     * {@code h * W + w} of each maximum within its input plane; padding cells never win.
     */
    void maxPool2d(NDArray input, PoolGeometry g, NDArray out, NDArray indices);

    /** Routes each output gradient to the input position in {@code indices}; {@code gradInput} is overwritten. */
    void maxPool2dBackward(NDArray gradOut, NDArray indices, NDArray gradInput);

    /**
     * Gradient of max pooling with geometry {@code g}, whose {@code indices} came from {@link #maxPool2d} with it:
     * {@code gradInput} (overwritten) gets at each cell the sum, in output order, of the gradients of the windows
     * that cover it and chose it. With {@code reluOutput} (the pooled output of a ReLU'd input, gradOut's shape),
     * each gradient is first multiplied by {@code reluOutput > 0 ? 1 : 0}, ReLU's mask at the window's maximum (as
     * {@link BinaryOp#RELU_BACKWARD}): conv2d + ReLU + max pooling as one node. The same values as masking with
     * that binary op and routing by the indices, which is this default; GPU backends run one kernel over the input
     * cells instead (every cell written once, windows read by the cells they cover, no clearing pass).
     */
    default void maxPool2dBackward(NDArray gradOut, NDArray indices, PoolGeometry g, NDArray reluOutput, NDArray gradInput) {
        maxPool2dBackward(reluOutput == null ? gradOut : gradOut.binary(BinaryOp.RELU_BACKWARD, reluOutput), indices, gradInput);
    }

    /** Average pooling; padded cells count in the divisor. */
    void avgPool2d(NDArray input, PoolGeometry g, NDArray out);

    /** Gradient of average pooling; {@code gradInput} is overwritten. */
    void avgPool2dBackward(NDArray gradOut, PoolGeometry g, NDArray gradInput);

    // ---- indexing -------------------------------------------------------------------------------

    /** {@code out[i][j][k] = x[i][index[i][j][k]][k]} for {@code dim == 1} (and likewise for any dim); {@code out} has the shape of {@code index}. */
    void gather(NDArray x, int dim, NDArray index, NDArray out);

    /** {@code target[i][index[i][j][k]][k] += src[i][j][k]} for {@code dim == 1} (and likewise); the adjoint of gather. */
    void scatterAdd(NDArray target, int dim, NDArray index, NDArray src);

    /** {@code out} = the slices of {@code x} along {@code dim} at the positions in the 1-D int64 {@code index}. */
    void indexSelect(NDArray x, int dim, NDArray index, NDArray out);

    /** {@code target.select(dim, index[i]) += src.select(dim, i)}; the adjoint of indexSelect. */
    void indexAdd(NDArray target, int dim, NDArray index, NDArray src);

    // ---- recurrent cells (all arrays 2-D, batch N rows; may be any strided views) -----------------
    // Each is one pass over the gates, forward and backward, in PyTorch's gate order; the defaults compose
    // elementwise ops (ComposedRecurrentCells), so a backend without a fused kernel still runs them.

    /**
     * One LSTM step from the pre-activations {@code xGates + hGates} ({@code [N, 4H]}, gate blocks i, f, g, o)
     * and the cell state {@code c [N, H]}: {@code i = σ(·)}, {@code f = σ(·)}, {@code g = tanh(·)},
     * {@code o = σ(·)}, {@code c' = f⊙c + i⊙g}, {@code h' = o⊙tanh(c')}. Writes {@code hOut} and {@code cOut}
     * ({@code [N, H]}) and the activations i, f, g, o into {@code gates [N, 4H]}, for the backward.
     */
    default void lstmCell(NDArray xGates, NDArray hGates, NDArray c, NDArray hOut, NDArray cOut, NDArray gates) {
        ComposedRecurrentCells.lstmCell(xGates, hGates, c, hOut, cOut, gates);
    }

    /**
     * Gradient of {@link #lstmCell}: from the gradients of {@code h'} and {@code c'}, the cell input {@code c},
     * the output {@code cOut} and the saved activations, writes the gradient of the pre-activations
     * {@code gradGates [N, 4H]} (that of {@code xGates} and of {@code hGates} alike) and of {@code c}.
     */
    default void lstmCellBackward(NDArray gradH, NDArray gradC, NDArray c, NDArray cOut, NDArray gates, NDArray gradGates, NDArray gradCPrev) {
        ComposedRecurrentCells.lstmCellBackward(gradH, gradC, c, cOut, gates, gradGates, gradCPrev);
    }

    /**
     * One GRU step from {@code xGates = W_ih x + b_ih} and {@code hGates = W_hh h + b_hh} ({@code [N, 3H]},
     * gate blocks r, z, n) and {@code h [N, H]}: {@code r = σ(x_r + h_r)}, {@code z = σ(x_z + h_z)},
     * {@code n = tanh(x_n + r⊙h_n)}, {@code h' = (1-z)⊙n + z⊙h}. Writes {@code hOut [N, H]} and r, z, n,
     * h_n into {@code saved [N, 4H]}, for the backward.
     */
    default void gruCell(NDArray xGates, NDArray hGates, NDArray h, NDArray hOut, NDArray saved) {
        ComposedRecurrentCells.gruCell(xGates, hGates, h, hOut, saved);
    }

    /**
     * Gradient of {@link #gruCell}: from the gradient of {@code h'}, the input {@code h} and the saved values,
     * writes the gradients of {@code xGates}, {@code hGates} ({@code [N, 3H]}) and {@code h}.
     */
    default void gruCellBackward(NDArray gradH, NDArray h, NDArray saved, NDArray gradXGates, NDArray gradHGates, NDArray gradHPrev) {
        ComposedRecurrentCells.gruCellBackward(gradH, h, saved, gradXGates, gradHGates, gradHPrev);
    }

    // ---- fused optimiser updates ----------------------------------------------------------------

    /**
     * One Adam/AdamW step over one parameter, in place: {@code param}, {@code m}, {@code v} (and
     * {@code vMax} when {@code step.amsgrad()}, else null) are updated from {@code grad} as
     * {@link AdamStep} defines. All arrays are contiguous, of one shape and one floating dtype; the caller
     * takes the composed path otherwise.
     */
    void adamStep(AdamStep step, NDArray param, NDArray grad, NDArray m, NDArray v, NDArray vMax);

    /**
     * One SGD step over one parameter, in place, as {@link SgdStep} defines; {@code momentumBuffer} is null
     * when {@code step.momentum() == 0}. All arrays are contiguous, of one shape and one floating dtype.
     */
    void sgdStep(SgdStep step, NDArray param, NDArray grad, NDArray momentumBuffer);

    /**
     * {@link #adamStep} over many parameters with one {@code step} (one optimiser step of one param group):
     * element {@code i} of each list belongs to parameter {@code i}; {@code vMax} is null unless
     * {@code step.amsgrad()}. Every array is of this backend and of one dtype; empty parameters are allowed.
     * A GPU backend updates all of them in one launch; this default runs {@link #adamStep} per parameter.
     */
    default void adamStepAll(AdamStep step, List<NDArray> params, List<NDArray> grads, List<NDArray> m, List<NDArray> v, List<NDArray> vMax) {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).numel() > 0) adamStep(step, params.get(i), grads.get(i), m.get(i), v.get(i), vMax == null ? null : vMax.get(i));
        }
    }

    /**
     * {@link #sgdStep} over many parameters with one {@code step}, as {@link #adamStepAll}; {@code momentumBuffers}
     * is null when {@code step.momentum() == 0}. This default runs {@link #sgdStep} per parameter.
     */
    default void sgdStepAll(SgdStep step, List<NDArray> params, List<NDArray> grads, List<NDArray> momentumBuffers) {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).numel() > 0) sgdStep(step, params.get(i), grads.get(i), momentumBuffers == null ? null : momentumBuffers.get(i));
        }
    }
}
