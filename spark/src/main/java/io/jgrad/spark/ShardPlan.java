package io.jgrad.spark;

import io.jgrad.tensor.Shapes;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which examples of which partition make up each global batch. The global batch of {@code B} examples is split
 * over the {@code P} partitions as evenly as integers allow ({@code b_p = B/P}, one more for the first
 * {@code B mod P}); in every step each partition contributes a full local batch, taken in a per-epoch
 * order that depends only on (seed, epoch, partition). An epoch has as many steps as the partition with the
 * fewest local batches allows ({@code min_p ⌊n_p / b_p⌋}); the rest of the larger partitions waits for the
 * next epoch's order, as {@code drop_last} does in a data loader.
 *
 * <p>Nothing here depends on the executor or the attempt, so a task that Spark re-runs takes exactly the
 * examples the lost one took.
 */
public final class ShardPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int[] partitionSizes;
    private final int[] localBatch;
    private final int globalBatch;
    private final int stepsPerEpoch;
    private final boolean shuffle;
    private final long seed;

    private ShardPlan(int[] partitionSizes, int globalBatch, boolean shuffle, long seed) {
        this.partitionSizes = partitionSizes.clone();
        this.globalBatch = globalBatch;
        this.shuffle = shuffle;
        this.seed = seed;
        int p = partitionSizes.length;
        this.localBatch = new int[p];
        int steps = Integer.MAX_VALUE;
        for (int i = 0; i < p; i++) {
            localBatch[i] = globalBatch / p + (i < globalBatch % p ? 1 : 0);
            steps = Math.min(steps, partitionSizes[i] / localBatch[i]);
        }
        this.stepsPerEpoch = steps;
    }

    /**
     * The plan for partitions of {@code partitionSizes} examples and a global batch of {@code globalBatch};
     * throws naming the partition when one cannot fill its share of a batch (an empty partition, say).
     */
    public static ShardPlan of(int[] partitionSizes, int globalBatch, boolean shuffle, long seed) {
        int p = partitionSizes.length;
        if (p == 0) throw new IllegalArgumentException("SparkTrainer: the training RDD has no partitions");
        if (globalBatch < p) {
            throw new IllegalArgumentException("SparkTrainer: batch size " + globalBatch + " is smaller than the " + p
                    + " partitions of the training RDD; every partition needs at least one example per step (use a larger batch or coalesce the RDD)");
        }
        ShardPlan plan = new ShardPlan(partitionSizes, globalBatch, shuffle, seed);
        for (int i = 0; i < p; i++) {
            if (partitionSizes[i] < plan.localBatch[i]) {
                throw new IllegalArgumentException("SparkTrainer: partition " + i + " of " + p + " holds " + partitionSizes[i]
                        + (partitionSizes[i] == 1 ? " example" : " examples") + ", fewer than its share of a batch of " + globalBatch + " ("
                        + plan.localBatch[i] + "); partition sizes " + Shapes.str(partitionSizes)
                        + ": repartition the RDD evenly or use fewer partitions or a smaller batch");
            }
        }
        return plan;
    }

    public int partitions() {
        return partitionSizes.length;
    }

    public int globalBatch() {
        return globalBatch;
    }

    /** {@code b_p}: how many examples partition {@code partition} contributes to every step. */
    public int localBatch(int partition) {
        return localBatch[partition];
    }

    public int partitionSize(int partition) {
        return partitionSizes[partition];
    }

    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /** The order in which {@code partition} visits its examples in epoch {@code epoch} (counting from 0). */
    public int[] order(int epoch, int partition) {
        int n = partitionSizes[partition];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (!shuffle) return order;
        // One stream per (seed, epoch, partition), so no partition's order depends on another's or on retries.
        SplittableRandom random = new SplittableRandom(mix(mix(seed, epoch), partition));
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** The indices (into the partition) of its local batch at {@code step} of an epoch whose order is {@code order}. */
    public int[] batch(int[] order, int step, int partition) {
        int b = localBatch[partition];
        return Arrays.copyOfRange(order, step * b, step * b + b);
    }

    /** SplitMix64's finaliser over {@code a} and {@code b}: well-spread seeds from small integers. */
    private static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
