package io.jgrad.spark;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.optimizers.SGD;
import io.jgrad.tensor.NDArray;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient averaging ({@code syncEvery(1)}) on uneven partitions equals single-machine training with the global
 * batch: the same loss at every step and the same weights, to float32 rounding. The reference is a plain
 * training loop over global batches assembled by hand.
 */
class GradientAveragingEquivalenceTest {

    private static JavaSparkContext sc;

    /** Four partitions of different sizes; a global batch of 10 splits into local batches of 3, 3, 2, 2. */
    private static final int[] SIZES = {30, 27, 20, 19};
    private static final int[] LOCAL = {3, 3, 2, 2};
    private static final int BATCH = 10, EPOCHS = 2, STEPS_PER_EPOCH = 9;   // min(30/3, 27/3, 20/2, 19/2)
    private static final List<List<TrainingExample>> SHARDS = SyntheticShards.make(5, SIZES);

    @BeforeAll
    static void start() {
        sc = LocalSpark.start("gradient-averaging-equivalence");
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.stop();
    }

    @Test
    void adamWithGradientAveragingEqualsTheGlobalBatchOnOneMachine() throws Exception {
        compare(params -> Adam.builder().lr(1e-2).build(params), false);
    }

    @Test
    void sgdWithMomentumAndShuffledShardsEqualsTheGlobalBatchOnOneMachine() throws Exception {
        compare(params -> SGD.builder().lr(0.1).momentum(0.9).build(params), true);
    }

    private static void compare(TrainingSetup.OptimizerFactory optimizer, boolean shuffle) throws Exception {
        SparkTrainer.Result distributed = SparkTrainer.builder(SyntheticShards::model, optimizer)
                .exampleShape(SyntheticShards.FEATURES).batchSize(BATCH).epochs(EPOCHS).shuffle(shuffle).seed(3)
                .log(new PrintStream(new ByteArrayOutputStream()), false).build()
                .fit(SyntheticShards.rdd(sc, SHARDS));

        Module reference = SyntheticShards.model();
        Optimizer opt = optimizer.create(reference.parameters());
        CrossEntropyLoss loss = new CrossEntropyLoss();
        ShardPlan plan = ShardPlan.of(SIZES, BATCH, shuffle, 3);
        List<Double> losses = new ArrayList<>();
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            for (int step = 0; step < STEPS_PER_EPOCH; step++) {
                int[][] indices = new int[SIZES.length][];
                for (int p = 0; p < SIZES.length; p++) {
                    indices[p] = new int[LOCAL[p]];
                    int[] order = shuffle ? plan.order(epoch, p) : null;
                    for (int i = 0; i < LOCAL[p]; i++) indices[p][i] = shuffle ? order[step * LOCAL[p] + i] : step * LOCAL[p] + i;
                }
                Tensor[] xy = SyntheticShards.batch(SHARDS, indices);
                Tensor l = loss.forward(reference.forward(xy[0]), xy[1]);
                losses.add(l.item());
                opt.zeroGrad();
                l.backward();
                opt.step();
            }
        }

        assertEquals(EPOCHS * STEPS_PER_EPOCH, distributed.stepLosses().length, "steps");
        double worstLoss = 0;
        for (int i = 0; i < losses.size(); i++) worstLoss = Math.max(worstLoss, Math.abs(distributed.stepLosses()[i] - losses.get(i)));
        double worstWeight = 0;
        Map<String, NDArray> expected = reference.stateDict(), actual = distributed.model().stateDict();
        for (String key : expected.keySet()) {
            float[] e = expected.get(key).toFloatArray(), a = actual.get(key).toFloatArray();
            for (int i = 0; i < e.length; i++) worstWeight = Math.max(worstWeight, Math.abs(e[i] - a[i]) / Math.max(1, Math.abs(e[i])));
        }
        System.out.printf(Locale.ROOT, "gradient averaging vs one machine (%s, shuffle %s): %d steps, largest loss difference %.3g, "
                + "largest weight difference %.3g; first loss %.6f, last %.6f%n", opt.name(), shuffle, losses.size(), worstLoss, worstWeight,
                losses.get(0), losses.get(losses.size() - 1));
        assertTrue(worstLoss <= 2e-6, "step losses differ by " + worstLoss);
        assertTrue(worstWeight <= 2e-6, "weights differ by " + worstWeight);
        assertTrue(losses.get(losses.size() - 1) < 0.8 * losses.get(0), "the model learned something");
        // Training again gives the same bits: nothing depends on task timing.
        SparkTrainer.Result again = SparkTrainer.builder(SyntheticShards::model, optimizer)
                .exampleShape(SyntheticShards.FEATURES).batchSize(BATCH).epochs(EPOCHS).shuffle(shuffle).seed(3)
                .log(new PrintStream(new ByteArrayOutputStream()), false).build()
                .fit(SyntheticShards.rdd(sc, SHARDS));
        for (String key : actual.keySet()) {
            assertArrayEquals(actual.get(key).toFloatArray(), again.model().stateDict().get(key).toFloatArray(), key + " on a second run");
        }
    }
}
