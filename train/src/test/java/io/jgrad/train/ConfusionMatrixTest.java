package io.jgrad.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfusionMatrixTest {

    @Test
    void metricsMatchAHandCount() {
        // actual:    0 0 0 1 1 2
        // predicted: 0 0 1 1 2 2
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.addAll(new long[] {0, 0, 0, 1, 1, 2}, new long[] {0, 0, 1, 1, 2, 2});
        assertEquals(4.0 / 6, cm.accuracy(), 1e-15);
        assertEquals(1.0, cm.precision(0), 1e-15);   // 2 predicted 0, both right
        assertEquals(2.0 / 3, cm.recall(0), 1e-15);  // 3 actual 0, 2 found
        assertEquals(0.5, cm.precision(1), 1e-15);   // predicted 1: one right (a 1), one wrong (a 0)
        assertEquals(0.5, cm.recall(1), 1e-15);
        assertEquals(0.5, cm.precision(2), 1e-15);
        assertEquals(1.0, cm.recall(2), 1e-15);
        assertEquals(2 * 1.0 * (2.0 / 3) / (1 + 2.0 / 3), cm.f1(0), 1e-15);
        assertEquals((1.0 + 0.5 + 0.5) / 3, cm.macroPrecision(), 1e-15);
        assertTrue(cm.format().contains("precision"));
    }

    @Test
    void absentClassesAreLeftOutOfMacroAverages() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.add(0, 0);
        assertTrue(Double.isNaN(cm.precision(2)));
        assertEquals(1.0, cm.macroRecall(), 1e-15);
    }

    @Test
    void outOfRangeClassesAreRejected() {
        ConfusionMatrix cm = new ConfusionMatrix(2);
        assertThrows(IllegalArgumentException.class, () -> cm.add(2, 0));
        assertThrows(IllegalArgumentException.class, () -> cm.addAll(new long[] {0}, new long[] {0, 1}));
    }
}
