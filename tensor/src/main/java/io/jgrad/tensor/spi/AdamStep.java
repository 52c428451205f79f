package io.jgrad.tensor.spi;

/**
 * The hyperparameters of one fused Adam or AdamW update ({@link Backend#adamStep}). The bias corrections
 * {@code 1 − β1^t} and {@code 1 − β2^t} are computed by the caller, once per step, so kernels never see
 * the step count.
 *
 * <p>Per element, with every scalar rounded to the parameter's dtype first and every operation rounded
 * as it happens (the order of the composed, unfused update, so both give the same bits):
 * <pre>
 * g ← maximize ? −grad : grad
 * if decoupled:   θ ← θ·(1 − lr·weightDecay)           AdamW
 * else if weightDecay ≠ 0:  g ← g + θ·weightDecay       Adam's L2 penalty
 * m ← m·β1 + g·(1 − β1)
 * v ← v·β2 + (g·(1 − β2))·g
 * if amsgrad:  vMax ← max(vMax, v), and use vMax for v below
 * θ ← θ − (m·(lr / biasCorrection1)) / (√v / √biasCorrection2 + eps)
 * </pre>
 */
public record AdamStep(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                       boolean amsgrad, boolean maximize, double biasCorrection1, double biasCorrection2) {
}
