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

    // The scalars a kernel derives once per step, before it rounds them to the parameter's dtype: one
    // definition here, so the reference, vector and GPU kernels cannot drift apart.

    /** {@code 1 − lr·weightDecay}, the factor θ shrinks by (AdamW), or {@code weightDecay}, the L2 penalty's (Adam). */
    public double decay() {
        return decoupled ? 1 - lr * weightDecay : weightDecay;
    }

    /** True when the gradient gets Adam's L2 penalty {@code θ·weightDecay} (not AdamW, and a non-zero decay). */
    public boolean l2Penalty() {
        return !decoupled && weightDecay != 0;
    }

    /** {@code 1 − β1}, the weight of the new gradient in {@code m}. */
    public double oneMinusBeta1() {
        return 1 - beta1;
    }

    /** {@code 1 − β2}, the weight of the new squared gradient in {@code v}. */
    public double oneMinusBeta2() {
        return 1 - beta2;
    }

    /** {@code lr / biasCorrection1}, what {@code m} is scaled by in the update. */
    public double stepSize() {
        return lr / biasCorrection1;
    }

    /** {@code √biasCorrection2}, what {@code √v} is divided by in the update. */
    public double sqrtBiasCorrection2() {
        return Math.sqrt(biasCorrection2);
    }
}
