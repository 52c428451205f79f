package io.jgrad.layers;

import io.jgrad.autograd.GradMode;
import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;
import io.jgrad.tensor.spi.CrossEntropyParams;

import java.util.Arrays;

/**
 * The losses as functions, {@code torch.nn.functional}'s formulas composed from {@link Tensor} ops (so their
 * gradients come from the gradient table). The loss classes ({@link MSELoss}, {@link CrossEntropyLoss}, ...) hold
 * the arguments and call these. Regression and binary losses take {@code input} and {@code target} of the same
 * shape; classification losses take scores with the classes in dim 1 and int64 class indices.
 */
public final class Losses {

    /** PyTorch's default {@code ignore_index}: no real class has it. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    private Losses() {
    }

    // ---- regression ---------------------------------------------------------------------------------

    /** Mean squared error: {@code (input - target)²}, reduced. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        requireSameShape("mseLoss", input, target);
        return reduction.apply(input.sub(target).square());
    }

    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, Reduction.MEAN);
    }

    /** Mean absolute error: {@code |input - target|}, reduced. */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        requireSameShape("l1Loss", input, target);
        return reduction.apply(input.sub(target).abs());
    }

    /** Smooth L1 (Girshick 2015), with {@code d = input - target}: {@code 0.5·d²/β} where {@code |d| < β}, else {@code |d| - 0.5·β}. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, double beta, Reduction reduction) {
        requireSameShape("smoothL1Loss", input, target);
        if (!(beta >= 0)) throw new IllegalArgumentException("smoothL1Loss: beta must be >= 0, got " + beta);
        return reduction.apply(smoothL1(input.sub(target), beta));
    }

    /** Huber (1964): {@code 0.5·d²} where {@code |d| < δ}, else {@code δ·(|d| - 0.5·δ)}; that is δ times smooth L1 with β = δ. */
    public static Tensor huberLoss(Tensor input, Tensor target, double delta, Reduction reduction) {
        requireSameShape("huberLoss", input, target);
        if (!(delta > 0)) throw new IllegalArgumentException("huberLoss: delta must be > 0, got " + delta);
        return reduction.apply(smoothL1(input.sub(target), delta).mul(delta));
    }

    private static Tensor smoothL1(Tensor d, double beta) {
        Tensor abs = d.abs();
        if (beta == 0) return abs;   // the quadratic branch would divide by zero, and its 0/0 would reach the gradient
        return Tensor.where(abs.data().lt(beta), d.square().mul(0.5 / beta), abs.sub(0.5 * beta));
    }

    // ---- binary classification --------------------------------------------------------------------------

    /**
     * Binary cross-entropy of probabilities: {@code -(t·log p + (1 - t)·log(1 - p))}, each log clamped at -100 as
     * in PyTorch so that p = 0 or 1 gives a finite loss. {@code weight} (broadcast, may be null) scales each element.
     */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
        requireSameShape("binaryCrossEntropy", input, target);
        for (double p : input.data().toDoubleArray()) {
            if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("binaryCrossEntropy: input must hold probabilities in [0, 1], found " + p);
        }
        Tensor loss = target.mul(clampedLog(input)).add(target.rsub(1).mul(clampedLog(input.rsub(1)))).neg();
        return reduction.apply(weight == null ? loss : loss.mul(weight));
    }

    /**
     * {@code max(log p, -100)}. Where p = 0 the log is taken of 1 and then replaced, so the backward pass sees a
     * zero gradient rather than {@code 0·(1/0) = NaN}.
     */
    private static Tensor clampedLog(Tensor p) {
        NDArray positive = p.data().gt(0);
        Tensor log = Tensor.where(positive, p, Tensor.of(p.data().scalarLike(1))).log();
        return Tensor.where(positive, log, Tensor.of(p.data().scalarLike(-100))).clamp(-100, Double.POSITIVE_INFINITY);
    }

    /**
     * Binary cross-entropy of logits x: {@code -(posWeight·t·log σ(x) + (1 - t)·log(1 - σ(x)))}, the same as
     * {@code max(x, 0) - x·t + log(1 + e^-|x|)} without posWeight. Both logs come from one log-softmax over
     * {@code [0, x]}, which is stable for any x and, unlike the max/abs form, differentiable at x = 0.
     * {@code weight} and {@code posWeight} (per class, broadcast over the last dim) may be null.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight, Reduction reduction) {
        requireSameShape("binaryCrossEntropyWithLogits", input, target);
        Tensor logs = Tensor.stack(-1, Tensor.of(input.data().zerosLike()), input).logSoftmax(-1);
        Tensor logP = logs.select(-1, 1), logNotP = logs.select(-1, 0);   // log σ(x), log(1 - σ(x))
        Tensor positive = target.mul(logP);
        if (posWeight != null) positive = positive.mul(posWeight);
        Tensor loss = positive.add(target.rsub(1).mul(logNotP)).neg();
        return reduction.apply(weight == null ? loss : loss.mul(weight));
    }

    // ---- multi-class classification ------------------------------------------------------------------

    /**
     * Negative log-likelihood of class indices: {@code loss_i = -w[t_i]·input[i, t_i]} for log-probabilities
     * {@code input} of shape {@code [N, C]}, {@code [N, C, d...]} or {@code [C]}, and int64 {@code target} of shape
     * {@code [N]}, {@code [N, d...]} or {@code []}. Targets equal to {@code ignoreIndex} add nothing; the mean is
     * weighted, {@code Σ loss_i / Σ w[t_i]} over the kept targets. {@code weight [C]} may be null (all ones).
     */
    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction) {
        return classIndexLoss("nllLoss", input, target, weight, ignoreIndex, reduction, 0);
    }

    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return crossEntropy(input, target, null, DEFAULT_IGNORE_INDEX, Reduction.MEAN, 0);
    }

    /**
     * Cross-entropy of logits: {@code nllLoss(logSoftmax(input, 1), ...)}. With label smoothing ε the target is
     * mixed with the uniform distribution: {@code loss_i = (1 - ε)·nll_i + ε/C·Σ_c(-w_c·logp[i, c])}, and the mean
     * divides by the same {@code Σ w[t_i]} as nll (PyTorch's formula). A floating-point {@code target} of the
     * input's shape holds class probabilities instead: {@code loss_i = -Σ_c w_c·t_ic·logp[i, c]}, with the
     * smoothed {@code t·(1 - ε) + ε/C}, a plain mean, and no ignored entries.
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction, double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("crossEntropy: labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        if (input.rank() == 0) throw new IllegalArgumentException("crossEntropy: expected input [N, C, ...] or [C], got shape []");
        int classDim = input.rank() == 1 ? 0 : 1;
        if (target.dtype().isFloatingPoint() && Arrays.equals(target.shape(), input.shape())) {
            Tensor logp = input.logSoftmax(classDim);
            int c = input.shape(classDim);
            Tensor t = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / c) : target;
            Tensor weighted = weight == null ? logp : logp.mul(perClass(weight, input.rank(), classDim));
            return reduction.apply(weighted.mul(t).sum(classDim).neg());
        }
        requireClassTargets("crossEntropy", input, target, classDim);
        boolean weightLearned = weight != null && weight.requiresGrad() && GradMode.isEnabled();
        if (input.shape(classDim) == 0 || weightLearned) {   // the composition: no classes, or a gradient for the weight
            return classIndexLoss("crossEntropy", input.logSoftmax(classDim), target, weight, ignoreIndex, reduction, labelSmoothing);
        }
        requireClassWeights("crossEntropy", weight, input.shape(classDim));
        if (input.rank() == 1) {   // one sample: a batch of one, with the batch dim removed again from unreduced losses
            Tensor loss = crossEntropy(input.unsqueeze(0), target.unsqueeze(0), weight, ignoreIndex, reduction, labelSmoothing);
            return reduction == Reduction.NONE ? loss.squeeze(0) : loss;
        }
        CrossEntropyParams p = new CrossEntropyParams(ignoreIndex, labelSmoothing);
        NDArray w = weight == null ? null : weight.data();
        return reduction == Reduction.NONE ? input.crossEntropyPerElement(target.data(), w, p)
                : input.crossEntropy(target.data(), w, p, reduction == Reduction.MEAN);
    }

    /** nll with optional label smoothing, over log-probabilities {@code logp} with the classes in dim 1 (dim 0 for one sample). */
    private static Tensor classIndexLoss(String op, Tensor logp, Tensor target, Tensor weight, int ignoreIndex, Reduction reduction, double smoothing) {
        if (logp.rank() == 1) {   // one sample: a batch of one, with the batch dim removed again from unreduced losses
            requireClassTargets(op, logp, target, 0);
            Tensor loss = classIndexLoss(op, logp.unsqueeze(0), target.unsqueeze(0), weight, ignoreIndex, reduction, smoothing);
            return reduction == Reduction.NONE ? loss.squeeze(0) : loss;
        }
        requireClassTargets(op, logp, target, 1);
        int c = logp.shape(1);
        requireClassWeights(op, weight, c);
        NDArray t = target.data();
        for (long k : t.toLongArray()) {
            if ((k < 0 || k >= c) && k != ignoreIndex) throw new IllegalArgumentException(op + ": target " + k + " is out of range for " + c + " classes");
        }
        NDArray kept = t.ne(ignoreIndex);
        NDArray safe = NDArray.where(kept, t, t.scalarLike(0));   // ignored entries point at class 0 to stay in range; their weight is 0
        Tensor mask = Tensor.of(kept.to(logp.dtype()));
        Tensor w = weight == null ? mask : weight.indexSelect(0, safe.reshape(-1)).reshape(t.shape()).mul(mask);   // w[t_i], 0 if ignored
        Tensor loss = logp.gather(1, safe.unsqueeze(1)).squeeze(1).mul(w).neg();
        if (smoothing > 0) {
            Tensor weighted = weight == null ? logp : logp.mul(perClass(weight, logp.rank(), 1));
            Tensor uniform = weighted.sum(1).neg().mul(mask);
            loss = loss.mul(1 - smoothing).add(uniform.mul(smoothing / c));
        }
        return reduction == Reduction.MEAN ? weightedMean(loss, w) : reduction.apply(loss);
    }

    /**
     * {@code Σ loss_i / Σ w_i}. When every target is ignored ({@code Σ w_i = 0}) the loss is NaN, as PyTorch's,
     * but its gradient is 0, not NaN: the division goes by 1 instead of 0 (the numerator is then a sum of terms
     * multiplied by 0) and the NaN is added as a constant, so one fully ignored batch cannot poison the weights.
     */
    private static Tensor weightedMean(Tensor loss, Tensor w) {
        Tensor total = w.sum();
        NDArray nothingKept = total.data().eq(0);
        Tensor safeTotal = total.add(Tensor.of(nothingKept.to(total.dtype())));
        Tensor nanIfNothingKept = Tensor.of(NDArray.where(nothingKept, total.data().scalarLike(Double.NaN), total.data().scalarLike(0)));
        return loss.sum().div(safeTotal).add(nanIfNothingKept);
    }

    /** {@code weight [C]} viewed as {@code [1, C, 1, ...]} to broadcast against a rank-{@code rank} input. */
    private static Tensor perClass(Tensor weight, int rank, int classDim) {
        int[] shape = new int[rank];
        Arrays.fill(shape, 1);
        shape[classDim] = weight.numel();
        return weight.reshape(shape);
    }

    private static void requireClassWeights(String op, Tensor weight, int classes) {
        if (weight != null && (weight.rank() != 1 || weight.shape(0) != classes)) {
            throw new IllegalArgumentException(op + ": weight must be [" + classes + "] (one per class), got shape " + Shapes.str(weight.shape()));
        }
    }

    private static void requireClassTargets(String op, Tensor input, Tensor target, int classDim) {
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": expected int64 class indices as target, got " + target.dtype() + " of shape " + Shapes.str(target.shape()));
        }
        int[] expected = new int[input.rank() - 1];
        for (int d = 0, k = 0; d < input.rank(); d++) if (d != classDim) expected[k++] = input.shape(d);
        if (!Arrays.equals(expected, target.shape())) {
            throw new IllegalArgumentException(op + ": expected target " + Shapes.str(expected) + " for input shape " + Shapes.str(input.shape())
                    + ", got shape " + Shapes.str(target.shape()));
        }
    }

    private static void requireSameShape(String op, Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": target shape " + Shapes.str(target.shape()) + " differs from input shape " + Shapes.str(input.shape()));
        }
    }
}
