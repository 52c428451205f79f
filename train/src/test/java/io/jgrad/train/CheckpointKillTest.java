package io.jgrad.train;

import io.jgrad.layers.Linear;
import io.jgrad.layers.Module;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a JVM with SIGKILL while it saves checkpoints in a loop, at several moments, and checks that the file
 * left behind always loads and is one complete save (every tensor holds the epoch written in its metadata),
 * and that its optimiser state is there and from the same save (a kill between the two files' renames used to
 * leave a pair that could not be resumed).
 */
class CheckpointKillTest {

    @TempDir
    Path dir;

    /** The child: saves forever, checkpoint k with every weight equal to k. */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Module model = new Linear(512, 512);
        for (int epoch = 1; ; epoch++) {
            for (NDArray p : model.stateDict().values()) p.fill(epoch);
            Checkpoints.save(file, model, Map.of("state.0.m", NDArray.full(epoch, 512, 512)), new CheckpointInfo("linear", epoch, Map.of(), Map.of()));
        }
    }

    @Test
    void killMinusNineDuringSavesLeavesACompleteCheckpoint() throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int round = 0; round < 4; round++) {
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CheckpointKillTest.class.getName(), file.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(file) && System.nanoTime() < deadline && child.isAlive()) Thread.sleep(10);
            assertTrue(Files.exists(file), "the child never saved a checkpoint");
            Thread.sleep(50 + 97L * round); // let it be somewhere in the middle of a later save
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));

            Module restored = new Linear(512, 512);
            CheckpointInfo info = Checkpoints.load(file, restored);
            assertTrue(info.epoch() >= 1);
            for (NDArray p : restored.stateDict().values()) {
                assertEquals(info.epoch(), p.amin().item(), "round " + round);
                assertEquals(info.epoch(), p.amax().item(), "round " + round);
            }
            NDArray m = Checkpoints.loadOptimizerState(file).get("state.0.m");
            assertEquals(info.epoch(), m.amin().item(), "round " + round + ": the optimiser state is the model's");
            assertEquals(info.epoch(), m.amax().item(), "round " + round);
            // The killed save may leave its temporary file (never the target) and one optimiser file of the
            // uncommitted or the superseded save; remove them before the next round.
            Path current = Checkpoints.optimizerFile(file);
            try (var leftovers = Files.list(dir)) {
                var extra = leftovers.filter(p -> !p.equals(file) && !p.equals(current)).toList();
                assertTrue(extra.stream().filter(p -> p.getFileName().toString().endsWith(".tmp")).count() <= 1, "temporary files: " + extra);
                assertTrue(extra.stream().filter(p -> p.getFileName().toString().contains(".optim-")).count() <= 1, "optimiser files: " + extra);
                for (Path t : extra) {
                    String name = t.getFileName().toString();
                    assertTrue(name.endsWith(".tmp") || name.contains(".optim-"), "unexpected file " + t);
                    Files.delete(t);
                }
            }
        }
    }
}
