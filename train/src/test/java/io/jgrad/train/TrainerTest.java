package io.jgrad.train;

import io.jgrad.data.DataLoader;
import io.jgrad.data.DataSources;
import io.jgrad.data.Dataset;
import io.jgrad.data.Subset;
import io.jgrad.data.TensorDataset;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Loss;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.optimizers.SGD;
import io.jgrad.tensor.NDArray;
import io.jgrad.train.models.Mlp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fit loop on a small MLP and a few hundred embedded digits (well under a second per epoch). */
class TrainerTest {

    @TempDir
    Path dir;

    private static Dataset train;
    private static Dataset validation;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeAll
    static void loadDigits() throws Exception {
        TensorDataset digits = DataSources.digits().train();
        train = new Subset(digits, IntStream.range(0, 200).toArray());
        validation = new Subset(digits, IntStream.range(200, 250).toArray());
    }

    private static Module model(long seed) {
        Init.manualSeed(seed);
        return new Mlp(784, 32, 10);
    }

    private static DataLoader loader(Dataset data) {
        return DataLoader.builder(data).batchSize(50).shuffle(true).seed(7).build();
    }

    private Trainer.Builder trainer(Module model, Optimizer optimizer) {
        return Trainer.builder(model, optimizer).log(new PrintStream(log, true, StandardCharsets.UTF_8), false);
    }

    private String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void fitLogsEveryEpochAndWritesTheCsvAndThePlots() throws Exception {
        Module model = model(0);
        Trainer t = trainer(model, Adam.builder().lr(3e-3).build(model.parameters())).epochs(2).outputDirectory(dir).build();
        Trainer.Result r = t.fit(loader(train), loader(validation));

        assertEquals(Trainer.Outcome.COMPLETED, r.outcome());
        assertEquals(2, r.epochs().size());
        assertEquals(2, r.last().epoch());
        assertTrue(r.epochs().get(1).trainLoss() < r.epochs().get(0).trainLoss(), r.epochs().toString());
        assertTrue(r.last().validationAccuracy() > 0.5, "200 digits, 2 epochs: " + r.last());
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals(3, csv.size(), csv.toString());
        assertEquals(EpochMetrics.CSV_HEADER, csv.get(0));
        assertTrue(csv.get(2).startsWith("2," + r.last().trainLoss() + ","), csv.get(2));
        for (String png : List.of("loss.png", "accuracy.png")) assertNotNull(ImageIO.read(dir.resolve(png).toFile()), png);
        assertTrue(log().contains("epoch 1/2  train loss ") && log().contains("epoch 2/2  train loss "), log());
        assertTrue(log().contains("val acc "), log());
    }

    @Test
    void aNaNLossStopsTrainingNamingTheEpochAndBatch() throws Exception {
        int[] calls = {0};
        Loss nanOnSixthBatch = (input, target) -> {
            var l = new CrossEntropyLoss().forward(input, target);
            return ++calls[0] == 6 ? l.mul(Double.NaN) : l; // 4 batches per epoch: epoch 2, batch 2
        };
        Module model = model(0);
        Trainer.Result r = trainer(model, Adam.builder().lr(1e-3).build(model.parameters())).loss(nanOnSixthBatch).epochs(3).build()
                .fit(loader(train), null);
        assertEquals(Trainer.Outcome.STOPPED_NON_FINITE_LOSS, r.outcome());
        assertEquals(1, r.epochs().size());
        assertEquals("stopping: the loss became NaN at epoch 2, batch 2; lower the learning rate or check the data", r.message());
        assertTrue(log().contains(r.message()), log());
    }

    @Test
    void anInfiniteLossStopsTrainingToo() throws Exception {
        // (A learning rate of 1e6 does not do it here: the MLP's ReLUs all die after the first step, and the
        // loss stays finite.)
        Loss infinite = (input, target) -> new CrossEntropyLoss().forward(input, target).mul(Double.POSITIVE_INFINITY);
        Module model = model(0);
        Trainer.Result r = trainer(model, SGD.builder().lr(0.1).build(model.parameters())).loss(infinite).build().fit(loader(train), null);
        assertEquals(Trainer.Outcome.STOPPED_NON_FINITE_LOSS, r.outcome());
        assertEquals("stopping: the loss became infinite at epoch 1, batch 1; lower the learning rate or check the data", r.message());
    }

    @Test
    void earlyStoppingEndsTrainingWhenTheMetricStopsImproving() throws Exception {
        Module model = model(0);
        // Accuracy cannot improve by more than 1 (100 points), so every epoch after the first is a bad one.
        Trainer.Result r = trainer(model, Adam.builder().lr(1e-3).build(model.parameters())).epochs(5)
                .callback(new EarlyStopping("val_accuracy", true, 1, 1.0)).build().fit(loader(train), loader(validation));
        assertEquals(Trainer.Outcome.STOPPED_BY_CALLBACK, r.outcome());
        assertEquals(3, r.epochs().size()); // epoch 1 sets the best, epochs 2 and 3 are bad, patience 1
        assertTrue(log().contains("early stopping: val_accuracy has not improved for 2 epochs"), log());
    }

    @Test
    void earlyStoppingCountsEpochsWithoutImprovement() throws Exception {
        Module model = model(0);
        Trainer t = trainer(model, SGD.builder().lr(0.1).build(model.parameters())).build();
        EarlyStopping stop = new EarlyStopping("val_loss", false, 1, 0.01);
        double[] losses = {1.0, 0.9, 0.895, 0.8, 0.85, 0.81};
        boolean[] expected = {false, false, false, false, false, true}; // 0.895 is not 0.01 better; 0.85 and 0.81 are not better than 0.8
        for (int e = 0; e < losses.length; e++) assertEquals(expected[e], stop.afterEpoch(metrics(e + 1, losses[e], 0), t), "epoch " + (e + 1));
    }

    @Test
    void bestCheckpointSavesOnlyWhenTheMetricImproves() throws Exception {
        Module model = model(0);
        Trainer t = trainer(model, Adam.builder().lr(1e-3).build(model.parameters())).describe("mlp", Map.of()).build();
        Path file = dir.resolve("best.safetensors");
        BestCheckpoint best = new BestCheckpoint(file, "val_accuracy", true);

        best.afterEpoch(metrics(1, 1.0, Double.NaN), t); // no validation: nothing to compare
        assertFalse(Files.exists(file));
        best.afterEpoch(metrics(2, 1.0, 0.5), t);
        assertEquals(2, Checkpoints.readInfo(file).epoch());
        best.afterEpoch(metrics(3, 1.0, 0.7), t);
        assertEquals(3, Checkpoints.readInfo(file).epoch());
        assertEquals(0.7, Checkpoints.readInfo(file).metrics().get("val_accuracy"));
        best.afterEpoch(metrics(4, 1.0, 0.6), t);
        best.afterEpoch(metrics(5, 1.0, 0.7), t); // equal is not better
        assertEquals(3, Checkpoints.readInfo(file).epoch());
        assertEquals("mlp", Checkpoints.readInfo(file).architecture());
        assertEquals(0.7, best.best());
        assertTrue(Files.exists(Checkpoints.optimizerFile(file)));
    }

    @Test
    void anEpochWithoutBatchesIsAnErrorNotANaNResult() {
        Module model = model(0);
        Trainer t = trainer(model, Adam.builder().lr(1e-3).build(model.parameters())).build();
        var empty = io.jgrad.data.Datasets.first(train, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> t.fit(io.jgrad.data.DataLoader.builder(empty).batchSize(4).build(), null));
        assertEquals("Trainer: epoch 1 has no training batches: the training data holds 0 examples", e.getMessage());
        var three = io.jgrad.data.Datasets.first(train, 3);
        e = assertThrows(IllegalStateException.class, () -> t.fit(io.jgrad.data.DataLoader.builder(three).batchSize(4).dropLast(true).build(), null));
        assertTrue(e.getMessage().contains("holds 3 examples (fewer than one batch, and the last batch is dropped)"), e.getMessage());
        IllegalArgumentException ev = assertThrows(IllegalArgumentException.class,
                () -> Trainer.evaluate(model, io.jgrad.data.DataLoader.builder(empty).build(), new io.jgrad.layers.CrossEntropyLoss(), 10));
        assertEquals("evaluation: the data holds no examples (0 in the dataset)", ev.getMessage());
    }

    @Test
    void bestCheckpointResumingStartsFromTheScoreOnFile() throws Exception {
        Module model = model(0);
        Trainer t = trainer(model, Adam.builder().lr(1e-3).build(model.parameters())).describe("mlp", Map.of()).build();
        Path file = dir.resolve("best.safetensors");
        new BestCheckpoint(file, "val_accuracy", true).afterEpoch(metrics(2, 1.0, 0.8), t);
        BestCheckpoint resumed = BestCheckpoint.resuming(file, "val_accuracy", true);
        assertEquals(0.8, resumed.best());
        resumed.afterEpoch(metrics(3, 1.0, 0.6), t); // a fresh tracker (from -inf) saved this worse model over the best
        assertEquals(2, Checkpoints.readInfo(file).epoch());
        resumed.afterEpoch(metrics(4, 1.0, 0.9), t);
        assertEquals(4, Checkpoints.readInfo(file).epoch());
        assertEquals(Double.NEGATIVE_INFINITY, BestCheckpoint.resuming(dir.resolve("none.safetensors"), "val_accuracy", true).best());
    }

    private static EpochMetrics metrics(int epoch, double validationLoss, double validationAccuracy) {
        return new EpochMetrics(epoch, 1, 0.5, validationLoss, validationAccuracy, 1e-3, 1);
    }

    @Test
    void resumingFromACheckpointGivesBitwiseTheSameModelAsTrainingStraight() throws Exception {
        Module straight = model(1);
        Trainer.Result all = trainer(straight, Adam.builder().lr(1e-3).build(straight.parameters())).epochs(3).build().fit(loader(train), null);

        Module first = model(1);
        Optimizer firstOptimizer = Adam.builder().lr(1e-3).build(first.parameters());
        Trainer firstTrainer = trainer(first, firstOptimizer).epochs(2).build();
        firstTrainer.fit(loader(train), null);
        Path file = dir.resolve("epoch2.safetensors");
        Checkpoints.save(file, first, firstOptimizer, firstTrainer.checkpointInfo(2, Map.of()));

        Module resumed = model(99); // other initial weights: everything must come from the checkpoint
        Optimizer resumedOptimizer = Adam.builder().lr(1e-3).build(resumed.parameters());
        CheckpointInfo info = Checkpoints.resume(file, resumed, resumedOptimizer);
        assertEquals(2, info.epoch());
        // A fresh loader: the trainer asks it for epoch 3's shuffle, as the straight run got.
        Trainer.Result rest = trainer(resumed, resumedOptimizer).epochs(3).startEpoch(info.epoch()).build().fit(loader(train), null);

        assertEquals(1, rest.epochs().size());
        assertEquals(3, rest.last().epoch());
        assertEquals(all.last().trainLoss(), rest.last().trainLoss());
        Map<String, NDArray> expected = straight.stateDict(), actual = resumed.stateDict();
        for (String key : expected.keySet()) assertArrayEquals(expected.get(key).toFloatArray(), actual.get(key).toFloatArray(), key);
    }
}
