package io.jgrad.tensor.spi;

/**
 * The hyperparameters of one fused SGD update ({@link Backend#sgdStep}).
 *
 * <p>Per element, with every scalar rounded to the parameter's dtype first and every operation rounded
 * as it happens (the order of the composed, unfused update, so both give the same bits):
 * <pre>
 * g ← maximize ? −grad : grad
 * if weightDecay ≠ 0:  g ← g + θ·weightDecay
 * if momentum ≠ 0:
 *     b ← g                                  on the first step (the buffer starts undamped, as in PyTorch)
 *     b ← b·momentum + g·(1 − dampening)     afterwards
 *     g ← nesterov ? g + b·momentum : b
 * θ ← θ − g·lr
 * </pre>
 */
public record SgdStep(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                      boolean maximize, boolean firstStep) {
}
