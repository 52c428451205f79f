package io.jgrad.autograd;

/** Thrown in anomaly mode by the first op whose forward or backward produced NaN or infinity. */
public final class AnomalyException extends ArithmeticException {
    public AnomalyException(String message) {
        super(message);
    }
}
