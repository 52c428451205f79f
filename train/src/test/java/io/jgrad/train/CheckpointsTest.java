package io.jgrad.train;

import io.jgrad.layers.Linear;
import io.jgrad.layers.Module;
import io.jgrad.layers.Sequential;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointsTest {

    @TempDir
    Path dir;

    private static Module net() {
        return new Sequential(new Linear(4, 3), new Linear(3, 2));
    }

    @Test
    void roundTripRestoresEveryTensorAndTheDescription() throws Exception {
        Module a = net(), b = net();
        Path file = dir.resolve("model.safetensors");
        Map<String, NDArray> opt = new LinkedHashMap<>();
        opt.put("state.0.m", NDArray.full(0.25, 3, 4));
        Checkpoints.save(file, a, opt, new CheckpointInfo("mlp", 3, Map.of("val_accuracy", 0.97), Map.of("normalize", "0.1307,0.3081")));
        CheckpointInfo info = Checkpoints.load(file, b);
        assertEquals("mlp", info.architecture());
        assertEquals(3, info.epoch());
        assertEquals(0.97, info.metrics().get("val_accuracy"));
        assertEquals("0.1307,0.3081", info.options().get("normalize"));
        for (String key : a.stateDict().keySet()) {
            assertArrayEquals(a.stateDict().get(key).toFloatArray(), b.stateDict().get(key).toFloatArray(), key);
        }
        assertArrayEquals(opt.get("state.0.m").toFloatArray(), Checkpoints.loadOptimizerState(file).get("state.0.m").toFloatArray());
        // The model file holds PyTorch's keys only, so torch's strict load_state_dict accepts it.
        assertEquals(a.stateDict().keySet(), SafeTensors.read(file).tensors().keySet());
    }

    @Test
    void aMismatchedArchitectureNamesTheFileAndTheKey() throws Exception {
        Path file = dir.resolve("model.safetensors");
        Checkpoints.save(file, net(), new CheckpointInfo("mlp", 1, Map.of(), Map.of()));
        Module other = new Sequential(new Linear(4, 5), new Linear(5, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoints.load(file, other));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("0.weight") && e.getMessage().contains("[3, 4]"), e.getMessage());
        Module fewer = new Sequential(new Linear(4, 3));
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoints.load(file, fewer));
        assertTrue(e.getMessage().contains("unexpected key '1.weight'"), e.getMessage());
    }

    @Test
    void optimizerStateFromAnotherSaveIsRefused() throws Exception {
        Path file = dir.resolve("model.safetensors");
        Checkpoints.save(file, net(), Map.of("x", NDArray.zeros(2)), new CheckpointInfo("mlp", 1, Map.of(), Map.of()));
        Path stale = dir.resolve("stale.optim.safetensors");
        Files.copy(Checkpoints.optimizerFile(file), stale);
        Checkpoints.save(file, net(), Map.of("x", NDArray.zeros(2)), new CheckpointInfo("mlp", 2, Map.of(), Map.of()));
        Files.copy(stale, Checkpoints.optimizerFile(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoints.loadOptimizerState(file));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
    }

    @Test
    void everySaveKeepsOnePairAndTheModelFileNamesItsOptimizerFile() throws Exception {
        Path file = dir.resolve("model.safetensors");
        for (int epoch = 1; epoch <= 3; epoch++) {
            Checkpoints.save(file, net(), Map.of("x", NDArray.full(epoch, 2)), new CheckpointInfo("mlp", epoch, Map.of(), Map.of()));
        }
        try (var files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(2, names.size(), "the model file and its one optimiser file: " + names);
            assertEquals(List.of(Checkpoints.optimizerFile(file).getFileName().toString(), "model.safetensors"), names);
            assertTrue(names.get(0).startsWith("model.optim-"), names.toString());
        }
        assertArrayEquals(new float[] {3, 3}, Checkpoints.loadOptimizerState(file).get("x").toFloatArray());
        // An earlier pair survives a save that is interrupted after its optimiser file is written: the model
        // file still names the earlier optimiser file, which is deleted only after the new model file is in place.
        Path orphan = dir.resolve("model.optim-00000000-0000-0000-0000-000000000000.safetensors");
        Files.copy(Checkpoints.optimizerFile(file), orphan);
        assertArrayEquals(new float[] {3, 3}, Checkpoints.loadOptimizerState(file).get("x").toFloatArray());
        Checkpoints.save(file, net(), new CheckpointInfo("mlp", 4, Map.of(), Map.of())); // model alone: no companion left
        try (var files = Files.list(dir)) {
            assertEquals(List.of("model.safetensors"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void nonFiniteWeightsLoadWithAWarningNamingTheTensor() throws Exception {
        Module a = net();
        a.stateDict().get("0.weight").set(Float.NaN, 1, 2);
        a.stateDict().get("1.bias").set(Double.POSITIVE_INFINITY, 0);
        Path file = dir.resolve("diverged.safetensors");
        Checkpoints.save(file, a, new CheckpointInfo("mlp", 1, Map.of(), Map.of()));
        assertEquals(List.of("warning: checkpoint " + file + ": tensor '0.weight' holds 1 NaN and 0 infinite values (of 12)",
                "warning: checkpoint " + file + ": tensor '1.bias' holds 0 NaN and 1 infinite values (of 2)"),
                Checkpoints.nonFiniteWarnings(file, SafeTensors.read(file).tensors()));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            Checkpoints.load(file, net());
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().contains("tensor '0.weight' holds 1 NaN"), err.toString());
        assertEquals(List.of(), Checkpoints.nonFiniteWarnings(file, net().stateDict()));
    }

    @Test
    void aFileWithoutJgradMetadataLoadsWithNoDescription() throws Exception {
        Module a = net();
        Path file = dir.resolve("torch.safetensors");
        SafeTensors.write(file, a.stateDict(), Map.of("format", "pt"));
        assertEquals(CheckpointInfo.NONE, Checkpoints.load(file, net()));
    }

    @Test
    void missingFileIsNamed() {
        Path file = dir.resolve("nope.safetensors");
        Exception e = assertThrows(java.io.FileNotFoundException.class, () -> Checkpoints.load(file, net()));
        assertTrue(e.getMessage().contains("nope.safetensors"), e.getMessage());
    }
}
