package io.jgrad.spark;

import io.jgrad.optimizers.Adam;
import io.jgrad.tensor.NDArray;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints through Hadoop's file system: a run stopped and resumed ends with the bits of an uninterrupted one. */
class CheckpointResumeTest {

    private static JavaSparkContext sc;
    private static final List<List<TrainingExample>> SHARDS = SyntheticShards.make(9, 40, 40);

    @BeforeAll
    static void start() {
        sc = LocalSpark.start("checkpoint-resume");
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.stop();
    }

    private static SparkTrainer.Result run(Path dir, int rounds, int syncEvery, boolean resume, ByteArrayOutputStream log) throws Exception {
        return SparkTrainer.builder(SyntheticShards::model, params -> Adam.builder().lr(1e-2).build(params))
                .exampleShape(SyntheticShards.FEATURES).batchSize(8).rounds(rounds).syncEvery(syncEvery).seed(4)
                .checkpoints(dir.toUri().toString(), 2).resume(resume)
                .log(new PrintStream(log), false).build()
                .fit(SyntheticShards.rdd(sc, SHARDS));
    }

    @Test
    void resumingFromTheLastCheckpointGivesTheUninterruptedWeights(@TempDir Path tmp) throws Exception {
        for (int syncEvery : new int[] {1, 3}) {
            Path whole = tmp.resolve("whole-" + syncEvery), split = tmp.resolve("split-" + syncEvery);
            SparkTrainer.Result uninterrupted = run(whole, 7, syncEvery, false, new ByteArrayOutputStream());
            run(split, 4, syncEvery, false, new ByteArrayOutputStream());
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            SparkTrainer.Result resumed = run(split, 7, syncEvery, true, log);

            assertTrue(log.toString().contains("/round-00000004 after round 4 (step " + 4 * syncEvery + ")"), log.toString());
            assertEquals(7, resumed.rounds());
            assertEquals(3 * syncEvery, resumed.stepLosses().length, "steps run after resuming");
            Map<String, NDArray> expected = uninterrupted.model().stateDict(), actual = resumed.model().stateDict();
            for (String key : expected.keySet()) {
                assertArrayEquals(expected.get(key).toFloatArray(), actual.get(key).toFloatArray(), key + " with sync every " + syncEvery);
            }
            // Every 2 rounds and after the last; the newest two kept; no temporary directory left behind.
            try (Stream<Path> files = Files.list(split)) {
                assertEquals(List.of("round-00000006", "round-00000007"), files.map(p -> p.getFileName().toString()).sorted().toList());
            }
            assertTrue(Files.exists(split.resolve("round-00000007/model.safetensors")));
            Path model = split.resolve("round-00000007/model.safetensors");
            assertTrue(Files.exists(io.jgrad.train.Checkpoints.optimizerFile(model)), "the optimiser file the model names");
        }
    }
}
