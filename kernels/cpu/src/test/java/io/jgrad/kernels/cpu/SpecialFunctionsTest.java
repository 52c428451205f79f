package io.jgrad.kernels.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SpecialFunctions.erf against high-precision values (mpmath at 40 digits, rounded to 17). */
class SpecialFunctionsTest {

    @Test
    void erfAtTheValuesQuotedInTheBrief() {
        assertEquals(0.5204998778130465, SpecialFunctions.erf(0.5), 1e-14);
        assertEquals(0.8427007929497149, SpecialFunctions.erf(1), 1e-14);
        assertEquals(0.9953222650189527, SpecialFunctions.erf(2), 1e-14);
        assertEquals(0.9999779095030014, SpecialFunctions.erf(3), 1e-14);
        assertEquals(-0.9661051464753108, SpecialFunctions.erf(-1.5), 1e-14);
    }

    @Test
    void erfOnBothSidesOfTheSeriesToContinuedFractionSwitch() {
        double[][] table = {
                {1e-10, 1.1283791670955126e-10},
                {0.001, 0.0011283787909692364},
                {0.1, 0.1124629160182849},
                {0.25, 0.27632639016823693},
                {1.5, 0.96610514647531073},
                {2.4, 0.99931148610335492},
                {2.49, 0.99957071213226609},
                {2.5, 0.99959304798255504},
                {2.51, 0.99961429451827572},
                {3.5, 0.99999925690162766},
                {4.0, 0.9999999845827421},
                {5.0, 0.99999999999846254},
                {6.0, 0.99999999999999998},
        };
        for (double[] row : table) {
            double x = row[0], expected = row[1];
            double tol = 1e-14 * Math.abs(expected);
            assertEquals(expected, SpecialFunctions.erf(x), tol, "erf(" + x + ")");
            assertEquals(-expected, SpecialFunctions.erf(-x), tol, "erf(" + -x + ")");
        }
    }

    @Test
    void erfLimitsAndSpecialValues() {
        assertEquals(0.0, SpecialFunctions.erf(0.0));
        assertEquals(1.0, SpecialFunctions.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, SpecialFunctions.erf(Double.NEGATIVE_INFINITY));
        assertEquals(1.0, SpecialFunctions.erf(30));
        assertEquals(-1.0, SpecialFunctions.erf(-30));
        assertTrue(Double.isNaN(SpecialFunctions.erf(Double.NaN)));
        assertEquals(Double.MIN_NORMAL * (2 / Math.sqrt(Math.PI)), SpecialFunctions.erf(Double.MIN_NORMAL), 1e-15 * Double.MIN_NORMAL);
    }

    @Test
    void erfIsOddAndMonotonicAcrossTheBranchSwitch() {
        double previous = -1;
        for (int i = -4000; i <= 4000; i++) {
            double x = i / 1000.0;
            double y = SpecialFunctions.erf(x);
            assertEquals(-y, SpecialFunctions.erf(-x), 0.0, "odd at " + x);
            assertTrue(y >= previous, "monotonic at " + x);
            assertTrue(Math.abs(y) <= 1, "bounded at " + x);
            previous = y;
        }
        double below = SpecialFunctions.erf(Math.nextDown(2.5)), at = SpecialFunctions.erf(2.5);
        assertEquals(at, below, 1e-15, "continuous where the series hands over to the continued fraction");
    }
}
