package io.jgrad.spark;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.tensor.NDArray;
import io.jgrad.train.models.Mlp;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small labelled data in chosen partitions, and the model the tests train on it. */
final class SyntheticShards {

    static final int FEATURES = 12, CLASSES = 3;

    private SyntheticShards() {
    }

    /** One list per partition, {@code sizes[p]} examples each; three classes separable by a fixed linear rule plus noise. */
    static List<List<TrainingExample>> make(long seed, int... sizes) {
        SplittableRandom random = new SplittableRandom(seed);
        List<List<TrainingExample>> shards = new ArrayList<>();
        for (int size : sizes) {
            List<TrainingExample> shard = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                float[] x = new float[FEATURES];
                for (int j = 0; j < FEATURES; j++) x[j] = (float) random.nextGaussian();
                double score = x[0] - x[1] + 0.5 * x[2];
                long label = score < -0.5 ? 0 : score < 0.5 ? 1 : 2;
                shard.add(new TrainingExample(x, label));
            }
            shards.add(shard);
        }
        return shards;
    }

    /** An RDD whose partition {@code p} holds exactly {@code shards.get(p)}, in order. */
    static JavaRDD<TrainingExample> rdd(JavaSparkContext sc, List<List<TrainingExample>> shards) {
        return sc.parallelize(shards, shards.size()).flatMap(List::iterator);
    }

    /** The same freshly seeded MLP every time, on the driver and in every test's reference. */
    static Module model() {
        Init.manualSeed(11);
        return new Mlp(FEATURES, 16, CLASSES);
    }

    /** The examples at {@code [from, to)} of each partition, partition after partition: one global batch. */
    static Tensor[] batch(List<List<TrainingExample>> shards, int[][] indices) {
        List<TrainingExample> picked = new ArrayList<>();
        for (int p = 0; p < shards.size(); p++) for (int i : indices[p]) picked.add(shards.get(p).get(i));
        float[] x = new float[picked.size() * FEATURES];
        long[] y = new long[picked.size()];
        for (int i = 0; i < picked.size(); i++) {
            System.arraycopy(picked.get(i).features(), 0, x, i * FEATURES, FEATURES);
            y[i] = picked.get(i).label();
        }
        return new Tensor[] {Tensor.of(NDArray.of(x, picked.size(), FEATURES)), Tensor.of(NDArray.of(y, picked.size()))};
    }
}
