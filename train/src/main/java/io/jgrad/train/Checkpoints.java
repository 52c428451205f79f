package io.jgrad.train;

import io.jgrad.layers.Module;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.io.Json;
import io.jgrad.tensor.io.SafeTensors;
import io.jgrad.tensor.io.SafeTensorsFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Checkpoints in safetensors with PyTorch {@code state_dict} key names, so that a model file loads in
 * PyTorch ({@code model.load_state_dict(safetensors.torch.load_file(path))}) and a file saved by PyTorch loads
 * here.
 *
 * <p>Layout: {@code NAME.safetensors} holds the model; the optimiser state, when saved, goes to
 * {@code NAME.optim-ID.safetensors} (so the model file stays loadable by PyTorch's strict loader), where
 * {@code ID} is the save's {@code checkpoint_id}, recorded in both files. jgrad's own description is a JSON
 * object in the model file's metadata under {@code jgrad}: architecture, epoch, metrics, options.
 *
 * <p>The model file is the manifest of the pair: a save writes the optimiser file under its new name first,
 * then the model file (each atomically), and only then deletes the optimiser files of earlier saves. A kill at
 * any moment therefore leaves a model file whose optimiser file exists: the new pair or the previous one,
 * never a model file whose optimiser state was overwritten. A leftover optimiser file of an interrupted save
 * is removed by the next save. Files from before this layout ({@code NAME.optim.safetensors}) still load.
 */
public final class Checkpoints {

    static final String META_KEY = "jgrad";
    static final String ID_KEY = "checkpoint_id";

    private Checkpoints() {
    }

    /** The optimiser-state companion of a model file: the one its checkpoint id names (which may not exist). */
    public static Path optimizerFile(Path modelFile) throws IOException {
        String id = SafeTensors.read(modelFile).metadata().get(ID_KEY);
        Path named = id == null ? null : optimizerFile(modelFile, id);
        return named != null && Files.exists(named) ? named : legacyOptimizerFile(modelFile);
    }

    private static String stem(Path modelFile) {
        String name = modelFile.getFileName().toString();
        return name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
    }

    private static Path optimizerFile(Path modelFile, String id) {
        return modelFile.resolveSibling(stem(modelFile) + ".optim-" + id + ".safetensors");
    }

    /** Where optimiser state went before file names carried the checkpoint id. */
    private static Path legacyOptimizerFile(Path modelFile) {
        return modelFile.resolveSibling(stem(modelFile) + ".optim.safetensors");
    }

    /** Deletes the optimiser files of {@code modelFile} other than {@code keep} (null: all of them). */
    private static void removeOtherOptimizerFiles(Path modelFile, Path keep) throws IOException {
        Path dir = modelFile.toAbsolutePath().getParent();
        String prefix = stem(modelFile) + ".optim";
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                boolean companion = name.equals(prefix + ".safetensors")
                        || name.startsWith(prefix + "-") && name.endsWith(".safetensors") && name.length() == prefix.length() + 1 + 36 + ".safetensors".length();
                if (companion && (keep == null || !f.getFileName().equals(keep.getFileName()))) Files.deleteIfExists(f);
            }
        }
    }

    /** Saves the model alone. */
    public static void save(Path modelFile, Module model, CheckpointInfo info) throws IOException {
        save(modelFile, model, (Map<String, NDArray>) null, Map.of(), info);
    }

    /** Saves the model (and, when {@code optimizerState} is not null, the optimiser state). */
    public static void save(Path modelFile, Module model, Map<String, NDArray> optimizerState, CheckpointInfo info) throws IOException {
        save(modelFile, model, optimizerState, Map.<String, String>of(), info);
    }

    /** Saves the model and the full state of {@code optimizer}, so that training can resume exactly. */
    public static void save(Path modelFile, Module model, Optimizer optimizer, CheckpointInfo info) throws IOException {
        Optimizer.StateDict dict = optimizer.stateDict();
        save(modelFile, model, OptimizerCheckpoint.tensors(dict), Map.of(OptimizerCheckpoint.GROUPS_KEY, OptimizerCheckpoint.groupsJson(dict)), info);
    }

    private static void save(Path modelFile, Module model, Map<String, NDArray> optimizerState, Map<String, String> optimizerMeta,
                             CheckpointInfo info) throws IOException {
        String id = UUID.randomUUID().toString();
        Path optFile = null;
        if (optimizerState != null) {
            Map<String, String> meta = new LinkedHashMap<>(optimizerMeta);
            meta.put(ID_KEY, id);
            optFile = optimizerFile(modelFile, id);
            SafeTensors.write(optFile, optimizerState, meta);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put(ID_KEY, id);
        meta.put(META_KEY, Json.write(describe(info)));
        SafeTensors.write(modelFile, model.stateDict(), meta); // the commit: from here on the new pair is the checkpoint
        removeOtherOptimizerFiles(modelFile, optFile);
    }

    private static Map<String, Object> describe(CheckpointInfo info) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("architecture", info.architecture());
        d.put("epoch", (long) info.epoch());
        Map<String, Object> metrics = new LinkedHashMap<>();
        info.metrics().forEach((k, v) -> {
            if (Double.isFinite(v)) metrics.put(k, v);
        });
        d.put("metrics", metrics);
        d.put("options", new LinkedHashMap<>(info.options()));
        return d;
    }

    /**
     * Loads a model file into {@code model}: every key must be present with its shape; the first mismatch is
     * named with the file. Returns the jgrad description, or {@link CheckpointInfo#NONE} for a file without one
     * (a file saved by PyTorch, say).
     */
    public static CheckpointInfo load(Path modelFile, Module model) throws IOException {
        if (!Files.exists(modelFile)) throw new java.io.FileNotFoundException("checkpoint " + modelFile + " does not exist");
        SafeTensorsFile file = SafeTensors.read(modelFile);
        for (String warning : nonFiniteWarnings(modelFile, file.tensors())) System.err.println(warning);
        try {
            model.loadStateDict(file.tensors());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("checkpoint " + modelFile + ": " + e.getMessage(), e);
        }
        return info(modelFile, file.metadata());
    }

    /**
     * One line per floating-point tensor that holds NaN or infinite values, naming the file and the tensor: such
     * weights load (a diverged run may be worth inspecting) but never silently.
     */
    public static java.util.List<String> nonFiniteWarnings(Path file, Map<String, NDArray> tensors) {
        java.util.List<String> warnings = new java.util.ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (e.getValue().dtype() == io.jgrad.tensor.DType.INT64) continue;
            long nan = 0, inf = 0;
            for (double v : e.getValue().toDoubleArray()) {
                if (Double.isNaN(v)) nan++;
                else if (Double.isInfinite(v)) inf++;
            }
            if (nan + inf > 0) {
                warnings.add("warning: checkpoint " + file + ": tensor '" + e.getKey() + "' holds " + nan + " NaN and " + inf + " infinite values"
                        + " (of " + e.getValue().numel() + ")");
            }
        }
        return warnings;
    }

    /**
     * Loads a checkpoint saved with {@link #save(Path, Module, Optimizer, CheckpointInfo)} into {@code model} and
     * {@code optimizer}; returns its description (its epoch is where training resumes).
     */
    public static CheckpointInfo resume(Path modelFile, Module model, Optimizer optimizer) throws IOException {
        if (!Files.exists(modelFile)) throw new java.io.FileNotFoundException("checkpoint " + modelFile + " does not exist");
        Map<String, NDArray> tensors = loadOptimizerState(modelFile);
        Path optFile = optimizerFile(modelFile);
        String groups = SafeTensors.read(optFile).metadata().get(OptimizerCheckpoint.GROUPS_KEY);
        Optimizer.StateDict dict = OptimizerCheckpoint.stateDict(tensors, groups, model.parameters().size(), optFile.toString());
        CheckpointInfo info = load(modelFile, model);
        try {
            optimizer.loadStateDict(dict);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("optimizer state " + optFile + ": " + e.getMessage(), e);
        }
        return info;
    }

    /** The optimiser state saved with {@code modelFile}; throws when it is missing or belongs to another save. */
    public static Map<String, NDArray> loadOptimizerState(Path modelFile) throws IOException {
        Path optFile = optimizerFile(modelFile);
        if (!Files.exists(optFile)) {
            String id = SafeTensors.read(modelFile).metadata().get(ID_KEY);
            throw new java.io.FileNotFoundException("optimizer state of " + modelFile + " does not exist (saved without it?): neither "
                    + (id == null ? "" : optimizerFile(modelFile, id).getFileName() + " nor ") + legacyOptimizerFile(modelFile).getFileName());
        }
        SafeTensorsFile model = SafeTensors.read(modelFile), opt = SafeTensors.read(optFile);
        String a = model.metadata().get(ID_KEY), b = opt.metadata().get(ID_KEY);
        if (a == null || !a.equals(b)) {
            throw new IllegalArgumentException("optimizer state " + optFile + " does not belong to " + modelFile + " (checkpoint ids " + b + " and " + a + ")");
        }
        return opt.tensors();
    }

    /** Reads only the description of a checkpoint. */
    public static CheckpointInfo readInfo(Path modelFile) throws IOException {
        return info(modelFile, SafeTensors.read(modelFile).metadata());
    }

    @SuppressWarnings("unchecked")
    private static CheckpointInfo info(Path file, Map<String, String> metadata) {
        String json = metadata.get(META_KEY);
        if (json == null) return CheckpointInfo.NONE;
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("checkpoint " + file + ": metadata '" + META_KEY + "' is not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> m)) throw new IllegalArgumentException("checkpoint " + file + ": metadata '" + META_KEY + "' is not a JSON object");
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (m.get("metrics") instanceof Map<?, ?> mm) mm.forEach((k, v) -> {
            if (v instanceof Number n) metrics.put((String) k, n.doubleValue());
        });
        Map<String, String> options = new LinkedHashMap<>();
        if (m.get("options") instanceof Map<?, ?> om) om.forEach((k, v) -> options.put((String) k, String.valueOf(v)));
        Object arch = m.get("architecture"), epoch = m.get("epoch");
        return new CheckpointInfo(arch == null ? null : arch.toString(), epoch instanceof Number n ? n.intValue() : 0, metrics, options);
    }
}
