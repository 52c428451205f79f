package io.jgrad.tensor.spi;

/** Reductions over a set of dimensions. {@code MEAN} divides the sum by the number of reduced elements. */
public enum ReduceOp {
    SUM, MEAN, AMAX, AMIN
}
