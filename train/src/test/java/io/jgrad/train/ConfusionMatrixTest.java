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
    void aConstantPredictorGetsScikitLearnsMacroScores() {
        // 10 balanced classes, always predicting 3. sklearn (zero_division=0) and torchmetrics: precision
        // 0.1 for class 3 and 0 for the nine never predicted, recall 1 and 0; macro precision 0.01, recall 0.1,
        // F1 (2 * 0.1 * 1 / 1.1) / 10. Skipping never-predicted classes reported precision 0.1 and F1 0.18.
        ConfusionMatrix cm = new ConfusionMatrix(10);
        for (int c = 0; c < 10; c++) for (int i = 0; i < 10; i++) cm.add(c, 3);
        assertEquals(0.0, cm.precision(0));
        assertEquals(0.0, cm.f1(0));
        assertEquals(0.01, cm.macroPrecision(), 1e-15);
        assertEquals(0.1, cm.macroRecall(), 1e-15);
        assertEquals(2 * 0.1 / 1.1 / 10, cm.macroF1(), 1e-15);
    }

    @Test
    void aClassPredictedButNeverALabelHasRecallZeroAndCounts() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.addAll(new long[] {0, 0}, new long[] {0, 1}); // class 2 occurs nowhere: left out
        assertEquals(0.0, cm.recall(1));
        assertEquals(0.0, cm.precision(1));
        assertTrue(Double.isNaN(cm.f1(2)));
        assertEquals((1.0 + 0.0) / 2, cm.macroPrecision(), 1e-15);
        assertEquals((0.5 + 0.0) / 2, cm.macroRecall(), 1e-15);
        assertEquals((2.0 / 3 + 0.0) / 2, cm.macroF1(), 1e-15);
    }

    @Test
    void outOfRangeClassesAreRejected() {
        ConfusionMatrix cm = new ConfusionMatrix(2);
        assertThrows(IllegalArgumentException.class, () -> cm.add(2, 0));
        assertThrows(IllegalArgumentException.class, () -> cm.addAll(new long[] {0}, new long[] {0, 1}));
    }
}
