package io.jgrad.spark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The partition tree sums in one fixed order whatever order the partial results arrive in. */
class PartitionTreeTest {

    /** Values of very different magnitudes, where float addition order shows in the result. */
    private static Contribution leaf(int partition) {
        Contribution c = new Contribution(1);
        float[] v = new float[8];
        Random random = new Random(partition);
        for (int i = 0; i < v.length; i++) v[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8) - 4));
        c.put("x", new TensorSnapshot(new int[] {8}, v, null), 1);
        c.put("step", new TensorSnapshot(new int[0], null, new long[] {partition}), 1);
        c.stepLossSum[0] = partition;
        c.stepExamples[0] = 1;
        return c;
    }

    @Test
    void anyArrivalOrderAndGroupingGivesTheSameBits() {
        for (int partitions : new int[] {1, 2, 3, 5, 7, 8, 13}) {
            float[] expected = null;
            for (int trial = 0; trial < 20; trial++) {
                List<Integer> order = new ArrayList<>();
                for (int p = 0; p < partitions; p++) order.add(p);
                Collections.shuffle(order, new Random(trial));
                // Partial trees of random groups, merged in random order, as treeAggregate's levels would.
                List<PartitionTree> partial = new ArrayList<>();
                for (int p : order) {
                    if (partial.isEmpty() || new Random(trial * 31L + p).nextBoolean()) partial.add(new PartitionTree(partitions));
                    partial.get(partial.size() - 1).add(p, leaf(p));
                }
                Collections.shuffle(partial, new Random(trial + 100));
                PartitionTree all = new PartitionTree(partitions);
                for (PartitionTree t : partial) all.merge(t);
                Contribution total = all.total();
                assertEquals(partitions - 1, total.maxima.get("step")[0], "the maximum of the counters");
                assertEquals(partitions * (partitions - 1) / 2.0, total.stepLossSum[0]);
                if (expected == null) expected = total.sums.get("x");
                else assertArrayEquals(expected, total.sums.get("x"), partitions + " partitions, trial " + trial);
            }
        }
    }

    @Test
    void theOrderMattersForAPlainRunningSumSoTheTreeIsNeeded() {
        float a = 1e8f, b = -1e8f, c = 1f;
        assertNotEquals((a + b) + c, a + (b + c));
    }

    @Test
    void aMissingPartitionIsReported() {
        PartitionTree tree = new PartitionTree(3).add(0, leaf(0)).add(2, leaf(2));
        IllegalStateException e = assertThrows(IllegalStateException.class, tree::total);
        assertEquals("SparkTrainer: contributions of only some of the 3 partitions arrived", e.getMessage());
    }
}
