package io.jgrad.tensor.spi;

/**
 * Elementwise functions of two arguments. Comparisons produce 1 or 0 in the output's dtype (jgrad has no
 * boolean dtype; a 0/1 mask multiplies straight into gradient formulas).
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM,
    EQ, NE, LT, LE, GT, GE;

    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}
