package io.jgrad.tensor.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The scalars every Adam kernel derives from one step, as the algorithm box of {@link AdamStep} reads. */
class AdamStepTest {

    private static AdamStep step(double weightDecay, boolean decoupled) {
        // t = 2 with β1 = 0.9, β2 = 0.99: biasCorrection1 = 1 − 0.81, biasCorrection2 = 1 − 0.9801
        return new AdamStep(0.01, 0.9, 0.99, 1e-8, weightDecay, decoupled, false, false, 1 - 0.9 * 0.9, 1 - 0.99 * 0.99);
    }

    @Test
    void derivedScalars() {
        AdamStep s = step(0, false);
        assertEquals(0.1, s.oneMinusBeta1(), 1e-15);
        assertEquals(0.01, s.oneMinusBeta2(), 1e-15);
        assertEquals(0.01 / 0.19, s.stepSize(), 1e-15);
        assertEquals(Math.sqrt(0.0199), s.sqrtBiasCorrection2(), 1e-15);
    }

    @Test
    void weightDecayIsAdamsL2PenaltyOrAdamWsShrinkFactor() {
        AdamStep adam = step(0.5, false), adamW = step(0.5, true), none = step(0, false);
        assertTrue(adam.l2Penalty());
        assertEquals(0.5, adam.decay(), 0);
        assertFalse(adamW.l2Penalty());
        assertEquals(1 - 0.01 * 0.5, adamW.decay(), 1e-15);
        assertFalse(none.l2Penalty());
    }
}
