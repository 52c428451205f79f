package io.jgrad.spark;

import io.jgrad.data.DataLoader;
import io.jgrad.data.DataSources;
import io.jgrad.data.TensorDataset;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.train.Trainer;
import io.jgrad.train.models.Mlp;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parameter averaging every K local steps (Adam state averaged too) trains the embedded digits MLP to the
 * test accuracy of the same model trained on one machine with the same global batch, within one point.
 */
class ParameterAveragingTest {

    private static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = LocalSpark.start("parameter-averaging");
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.stop();
    }

    private static Module mlp() {
        Init.manualSeed(1);
        return new Mlp(784, 64, 10);
    }

    @Test
    void digitsMlpReachesTheSingleMachineAccuracyWithinOnePoint() throws Exception {
        TensorDataset train = DataSources.digits().train(), test = DataSources.digits().test();
        int epochs = 4, batch = 64;
        TrainingSetup.OptimizerFactory adam = params -> Adam.builder().lr(2e-3).build(params);

        Module single = mlp();
        Optimizer opt = adam.create(single.parameters());
        Trainer.builder(single, opt).epochs(epochs).log(new PrintStream(new ByteArrayOutputStream()), false).build()
                .fit(DataLoader.builder(train).batchSize(batch).shuffle(true).seed(0).build(), null);
        double singleAccuracy = Trainer.evaluate(single, DataLoader.builder(test).batchSize(500).build(), new CrossEntropyLoss(), 10).accuracy();

        SparkTrainer.Result averaged = SparkTrainer.builder(ParameterAveragingTest::mlp, adam)
                .exampleShape(1, 28, 28).batchSize(batch).epochs(epochs).syncEvery(4).seed(0)
                .log(new PrintStream(new ByteArrayOutputStream()), false).build()
                .fit(TrainingExamples.rdd(sc, () -> DataSources.digits().train(), 2));
        double averagedAccuracy = Trainer.evaluate(averaged.model(), DataLoader.builder(test).batchSize(500).build(), new CrossEntropyLoss(), 10).accuracy();

        System.out.printf(Locale.ROOT, "digits MLP, %d epochs, batch %d: one machine %.2f%%, parameter averaging over 2 partitions every 4 steps %.2f%% "
                + "(%d rounds, %.1f ms per round)%n", epochs, batch, 100 * singleAccuracy, 100 * averagedAccuracy, averaged.rounds(), 1000 * averaged.meanRoundSeconds(0));
        assertEquals(epochs, averaged.epochs().size());
        assertTrue(singleAccuracy > 0.85, "the single-machine reference trains: " + singleAccuracy);
        // Within one point: at most 10 of the 1000 test digits fewer.
        assertTrue(Math.round(averagedAccuracy * test.size()) >= Math.round(singleAccuracy * test.size()) - test.size() / 100,
                "averaged " + averagedAccuracy + " vs single machine " + singleAccuracy);
        // The averaged Adam state came back to the driver: every parameter has taken every step.
        assertEquals(epochs * (train.size() / 2 / 32), (long) averaged.optimizer().state(averaged.model().parameters().get(0)).step());
    }
}
