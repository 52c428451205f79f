package io.jgrad.kernels.opencl;

import io.jgrad.tensor.io.AtomicFiles;
import io.jgrad.tensor.io.Json;
import io.jgrad.tensor.io.JsonException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tuner's choices on disk: a JSON object from device key ({@link ClDeviceFacts#key()}) to parameter set
 * ({@link GemmParams#toString()}), at {@code -Djgrad.opencl.tuningCache=PATH} or
 * {@code ~/.cache/jgrad/opencl-tuning.json}. Written whole to a temporary file that is then renamed over the
 * old one, so a reader never sees half a file. A file that cannot be read is reported with its path and
 * treated as empty, so the device is tuned again and the file rewritten: a bad cache never stops a program.
 */
public final class GemmTuningCache {

    public static final String PROPERTY = "jgrad.opencl.tuningCache";

    private final Path file;

    public GemmTuningCache(Path file) {
        this.file = file;
    }

    /** The cache at the property's path, or the default one in the user's home. */
    public static GemmTuningCache standard() {
        String path = System.getProperty(PROPERTY);
        return new GemmTuningCache(path != null ? Path.of(path)
                : Path.of(System.getProperty("user.home"), ".cache", "jgrad", "opencl-tuning.json"));
    }

    public Path file() {
        return file;
    }

    /** The stored set for the device, or null when there is none (or the file is unreadable, which is reported). */
    public GemmParams lookup(ClDeviceFacts device) {
        String value = read().get(device.key());
        if (value == null) return null;
        try {
            return GemmParams.parse(value);
        } catch (IllegalArgumentException e) {
            warn("ignoring its entry for '" + device.key() + "': " + e.getMessage());
            return null;
        }
    }

    /** Records the device's set, keeping the other devices' entries. */
    public synchronized void store(ClDeviceFacts device, GemmParams params) {
        Map<String, String> entries = read();
        entries.put(device.key(), params.toString());
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.writeString(file, Json.write(entries) + "\n");
        } catch (IOException e) {
            warn("cannot write it (" + e + "); the tuning result is used but not kept");
        }
    }

    /** The entries of the file; empty when it is missing, and empty with a warning when it is not a flat JSON object of strings. */
    Map<String, String> read() {
        Map<String, String> entries = new TreeMap<>();
        if (!Files.exists(file)) return entries;
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | java.io.UncheckedIOException e) {
            warn("cannot read it (" + e + "); tuning again");
            return entries;
        } catch (JsonException e) {
            warn("not valid JSON (" + e.getMessage() + "); tuning again and rewriting it");
            return entries;
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            warn("not a JSON object; tuning again and rewriting it");
            return entries;
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String value)) {
                warn("the entry for '" + e.getKey() + "' is not a string; tuning again and rewriting it");
                return new TreeMap<>();
            }
            entries.put((String) e.getKey(), value);
        }
        return entries;
    }

    private void warn(String what) {
        System.err.println("jgrad: OpenCL tuning cache " + file + ": " + what);
    }
}
