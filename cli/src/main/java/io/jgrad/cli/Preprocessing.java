package io.jgrad.cli;

import io.jgrad.data.Transform;
import io.jgrad.data.augment.Compose;
import io.jgrad.data.augment.GaussianNoise;
import io.jgrad.data.augment.Normalize;
import io.jgrad.data.augment.RandomCrop;
import io.jgrad.data.augment.RandomFlip;
import io.jgrad.data.augment.RandomRotation;
import io.jgrad.data.augment.RandomShift;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Inputs are pixel values / 255; {@code --normalize MEAN,STD} adds {@code (x - mean) / std}, which is recorded
 * in the checkpoint (option {@code normalize}) so that {@code eval} and {@code predict} apply it too. A
 * checkpoint without it gets none. {@code --augment} names training-only augmentations.
 */
final class Preprocessing {

    static final String NORMALIZE = "normalize";
    static final List<String> AUGMENTATIONS = List.of("crop", "rotate", "shift", "noise", "hflip", "vflip");

    private Preprocessing() {
    }

    /** Parses {@code MEAN,STD}; null when absent. */
    static double[] normalization(String text, String what) {
        if (text == null || text.isBlank() || text.equals("none")) return null;
        String[] parts = text.split(",");
        try {
            if (parts.length == 2) {
                double mean = Double.parseDouble(parts[0].trim()), std = Double.parseDouble(parts[1].trim());
                if (std > 0 && Double.isFinite(mean) && Double.isFinite(std)) return new double[] {mean, std};
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageError(what + " expects MEAN,STD with STD > 0 (e.g. 0.1307,0.3081), got '" + text + "'");
    }

    /**
     * The normalisation a checkpoint records, else {@code flag} ({@code --normalize}); a bad recorded value is
     * blamed on the checkpoint, not on a flag the user never passed.
     */
    static double[] normalization(io.jgrad.train.CheckpointInfo info, java.nio.file.Path checkpoint, String flag) {
        String saved = info.options().get(NORMALIZE);
        return saved != null ? normalization(saved, "checkpoint " + checkpoint + ": metadata option '" + NORMALIZE + "'") : normalization(flag, "--normalize");
    }

    static Map<String, String> options(double[] normalization) {
        return normalization == null ? Map.of() : Map.of(NORMALIZE, String.format(Locale.ROOT, "%s,%s", normalization[0], normalization[1]));
    }

    /** The per-example transform: augmentations (training only) then normalisation; null when there is none. */
    static Transform transform(List<String> augmentations, double[] normalization, boolean image) {
        List<Transform> steps = new ArrayList<>();
        for (String a : augmentations) {
            if (!image) throw new UsageError("--augment " + a + " needs image data ([C, H, W] examples)");
            steps.add(switch (a) {
                case "crop" -> new RandomCrop(28, 2);
                case "rotate" -> new RandomRotation(10);
                case "shift" -> new RandomShift(2);
                case "noise" -> new GaussianNoise(0.05);
                case "hflip" -> RandomFlip.horizontal(0.5);
                case "vflip" -> RandomFlip.vertical(0.5);
                default -> throw new UsageError("--augment expects a comma-separated list of " + String.join(",", AUGMENTATIONS) + ", got '" + a + "'");
            });
        }
        if (normalization != null) steps.add(new Normalize(normalization[0], normalization[1]));
        if (steps.isEmpty()) return null;
        return steps.size() == 1 ? steps.get(0) : new Compose(steps.toArray(new Transform[0]));
    }

    static List<String> augmentations(String text) {
        if (text == null || text.isBlank() || text.equals("none")) return List.of();
        List<String> out = new ArrayList<>();
        for (String a : text.split(",")) {
            String name = a.trim();
            if (!AUGMENTATIONS.contains(name)) {
                throw new UsageError("--augment expects a comma-separated list of " + String.join(",", AUGMENTATIONS) + ", got '" + name + "'");
            }
            out.add(name);
        }
        return out;
    }
}
