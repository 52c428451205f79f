package io.jgrad.tensor.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The split-K rule both GPU backends plan their GEMMs with. */
class GemmSplitTest {

    private static final int H200_SMS = 132;

    @Test
    void theMnistConvNetsLongProductsSplitOnAHopperGpu() {
        // conv2's weight gradient at batch 128: 64 x 288 outputs (3 tiles of 128) over 128 * 14 * 14 positions.
        GemmSplit conv2 = GemmSplit.plan(64, 288, 25088, 1, 128, 128, H200_SMS);
        assertEquals(new GemmSplit(56, 448, 25088), conv2);
        assertEquals(56, conv2.fullSlices());
        // fc1's forward at batch 128: one 128 x 128 tile over 3136 inputs.
        assertEquals(new GemmSplit(14, 224, 3136), GemmSplit.plan(128, 128, 3136, 1, 128, 128, H200_SMS));
        // conv1's weight gradient on the one-output-per-thread kernel (16 x 16 blocks): 32 x 9 over 128 * 28 * 28.
        GemmSplit conv1 = GemmSplit.plan(32, 9, 100352, 1, 16, 16, H200_SMS);
        assertEquals(new GemmSplit(112, 896, 100352), conv1);
    }

    @Test
    void aShorterLastSliceWhenNoAlignedDepthDividesK() {
        GemmSplit s = GemmSplit.plan(64, 96, 1000, 1, 64, 64, 64);
        assertEquals(7, s.slices());
        assertEquals(160, s.depth());
        assertEquals(6, s.fullSlices());
        assertEquals(40, s.lastDepth());
    }

    @Test
    void noSplitForBatchesFullDevicesShortSumsOrEmptyProducts() {
        assertFalse(GemmSplit.plan(64, 288, 25088, 2, 128, 128, H200_SMS).isSplit(), "a batch");
        assertFalse(GemmSplit.plan(4096, 4096, 4096, 1, 128, 128, H200_SMS).isSplit(), "enough tiles");
        assertFalse(GemmSplit.plan(64, 64, 255, 1, 128, 128, H200_SMS).isSplit(), "K under two slices of 128");
        assertFalse(GemmSplit.plan(0, 64, 4096, 1, 128, 128, H200_SMS).isSplit(), "no rows");
        assertFalse(GemmSplit.plan(64, 64, 0, 1, 128, 128, H200_SMS).isSplit(), "K = 0");
        assertEquals(GemmSplit.none(77), GemmSplit.plan(64, 64, 77, 1, 128, 128, 1));
        assertEquals(1, GemmSplit.none(77).fullSlices());
        assertEquals(77, GemmSplit.none(77).lastDepth());
    }

    @Test
    void everyPlanCoversKExactlyWithAlignedSlicesOfAtLeastTheMinimumDepth() {
        Random rnd = new Random(1);
        for (int i = 0; i < 20000; i++) {
            int m = 1 + rnd.nextInt(600), n = 1 + rnd.nextInt(600), k = rnd.nextInt(200000), tile = 1 << (3 + rnd.nextInt(5));
            int processors = 1 + rnd.nextInt(200);
            GemmSplit s = GemmSplit.plan(m, n, k, 1, tile, tile, processors);
            String what = m + "x" + n + "x" + k + " tile " + tile + " on " + processors + ": " + s;
            assertEquals(k, s.k(), what);
            if (!s.isSplit()) {
                assertEquals(k, s.depth(), what);
                continue;
            }
            assertEquals(0, s.depth() % GemmSplit.DEPTH_ALIGN, what);
            assertTrue(s.depth() >= GemmSplit.MIN_DEPTH, what);
            assertTrue(s.lastDepth() > 0 && s.lastDepth() <= s.depth(), what);
            assertEquals(k, (long) s.fullSlices() * s.depth() + (s.fullSlices() < s.slices() ? s.lastDepth() : 0), what);
            long groups = (long) ((m + tile - 1) / tile) * ((n + tile - 1) / tile);
            assertTrue(groups < 2L * processors, what + ": the output alone fills the device");
            // Never far more work-groups than the device holds at once.
            assertTrue(groups * s.slices() <= 2L * (2L * processors + groups), what);
        }
    }

    @Test
    void rejectsSlicesThatDoNotCoverK() {
        assertThrows(IllegalArgumentException.class, () -> new GemmSplit(3, 100, 500));
        assertThrows(IllegalArgumentException.class, () -> new GemmSplit(3, 300, 600));
        assertThrows(IllegalArgumentException.class, () -> GemmSplit.plan(8, 8, 8, 1, 0, 8, 4));
    }
}
