package io.jgrad.spark;

import io.jgrad.optimizers.SGD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Training data the trainer cannot use is refused before the first round, with the partition and the reason. */
class BadInputTest {

    private static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = LocalSpark.start("bad-input");
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.stop();
    }

    private static String fit(JavaRDD<TrainingExample> data, int batch) {
        SparkTrainer trainer = SparkTrainer.builder(SyntheticShards::model, params -> SGD.builder().lr(0.1).build(params))
                .exampleShape(SyntheticShards.FEATURES).batchSize(batch).rounds(2)
                .log(new PrintStream(new ByteArrayOutputStream()), false).build();
        return assertThrows(IllegalArgumentException.class, () -> trainer.fit(data)).getMessage();
    }

    @Test
    void anEmptyPartitionIsNamed() {
        assertEquals("SparkTrainer: partition 1 of 3 holds 0 examples, fewer than its share of a batch of 6 (2); partition sizes [10, 0, 10]: "
                + "repartition the RDD evenly or use fewer partitions or a smaller batch", fit(SyntheticShards.rdd(sc, SyntheticShards.make(1, 10, 0, 10)), 6));
    }

    @Test
    void aPartitionWithOneExampleCannotFillItsShare() {
        assertEquals("SparkTrainer: partition 2 of 3 holds 1 example, fewer than its share of a batch of 6 (2); partition sizes [10, 10, 1]: "
                + "repartition the RDD evenly or use fewer partitions or a smaller batch", fit(SyntheticShards.rdd(sc, SyntheticShards.make(1, 10, 10, 1)), 6));
    }

    @Test
    void aBatchSmallerThanThePartitionCountIsRefused() {
        assertEquals("SparkTrainer: batch size 2 is smaller than the 3 partitions of the training RDD; every partition needs at least one example "
                + "per step (use a larger batch or coalesce the RDD)", fit(SyntheticShards.rdd(sc, SyntheticShards.make(1, 10, 10, 10)), 2));
    }

    @Test
    void anExampleOfTheWrongShapeIsNamed() {
        List<List<TrainingExample>> shards = SyntheticShards.make(1, 10, 10);
        List<TrainingExample> second = new ArrayList<>(shards.get(1));
        second.set(4, new TrainingExample(new float[5], 1));
        shards.set(1, second);
        assertEquals("SparkTrainer: example 4 of partition 1 has 5 features, the model's example shape [12] needs 12",
                fit(SyntheticShards.rdd(sc, shards), 4));
    }

    @Test
    void anExampleShapeTheModelDoesNotTakeFailsInTheModelNamingTheShapes() {
        // The RDD agrees with the declared example shape, but the model wants 12 features per example.
        List<List<TrainingExample>> shards = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            List<TrainingExample> shard = new ArrayList<>();
            for (int i = 0; i < 8; i++) shard.add(new TrainingExample(new float[6], 0));
            shards.add(shard);
        }
        SparkTrainer trainer = SparkTrainer.builder(SyntheticShards::model, params -> SGD.builder().lr(0.1).build(params))
                .exampleShape(6).batchSize(4).rounds(1).log(new PrintStream(new ByteArrayOutputStream()), false).build();
        Exception e = assertThrows(Exception.class, () -> trainer.fit(SyntheticShards.rdd(sc, shards)));
        String message = String.valueOf(e.getMessage());
        org.junit.jupiter.api.Assertions.assertTrue(message.contains("Mlp: expected input [N, ...] with 12 features per example, got shape [2, 6]"), message);
    }
}
