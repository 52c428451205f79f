package io.jgrad.spark;

import java.io.Serializable;
import java.util.TreeMap;

/**
 * The sum of the partitions' {@link Contribution}s in a fixed binary tree over partition indices, whatever
 * order Spark delivers them in. Float addition is not associative, and {@code treeAggregate} merges partial
 * results in the order tasks finish (its last level is a {@code fold} on the driver), so a plain running sum
 * would change in the last bits when a re-run task finishes late. Here each partial sum is a node
 * {@code (level, index)} covering partitions {@code [index·2^level, (index+1)·2^level)}; two sibling nodes are
 * added (left + right) only when both are present, so every float is added in the same order on every run,
 * and the final weights do not depend on which executor failed or when.
 */
final class PartitionTree implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int partitions;
    /** Pending nodes by key {@code level · 2^32 + index}. */
    private final TreeMap<Long, Contribution> nodes = new TreeMap<>();

    PartitionTree(int partitions) {
        this.partitions = partitions;
    }

    /** Adds partition {@code partition}'s contribution (seqOp of the tree aggregation). */
    PartitionTree add(int partition, Contribution c) {
        insert(0, partition, c);
        return this;
    }

    /** Merges another partial tree into this one (combOp of the tree aggregation). */
    PartitionTree merge(PartitionTree other) {
        if (other.partitions != partitions) throw new IllegalStateException("SparkTrainer: trees over " + partitions + " and " + other.partitions + " partitions");
        other.nodes.forEach((key, c) -> insert((int) (key >>> 32), (int) (long) key, c));
        return this;
    }

    private void insert(int level, int index, Contribution c) {
        while (true) {
            long key = key(level, index);
            if (nodes.containsKey(key)) throw new IllegalStateException("SparkTrainer: partition range (" + level + ", " + index + ") delivered twice");
            if ((1L << level) >= partitions) {   // the root: every partition is in it
                nodes.put(key, c);
                return;
            }
            int sibling = index ^ 1;
            boolean left = (index & 1) == 0;
            if (left && ((long) sibling << level) >= partitions) {
                // No partition falls under the right sibling: this node is its parent unchanged.
            } else {
                Contribution other = nodes.remove(key(level, sibling));
                if (other == null) {
                    nodes.put(key, c);
                    return;
                }
                Contribution sum = left ? c : other;
                sum.add(left ? other : c);   // always left + right
                c = sum;
            }
            level++;
            index >>= 1;
        }
    }

    /** The sum over every partition; throws when some have not been added. */
    Contribution total() {
        if (nodes.size() != 1 || (1L << (nodes.firstKey() >>> 32)) < partitions) {
            throw new IllegalStateException("SparkTrainer: contributions of only some of the " + partitions + " partitions arrived");
        }
        return nodes.firstEntry().getValue();
    }

    private static long key(int level, int index) {
        return ((long) level << 32) | (index & 0xFFFFFFFFL);
    }
}
