package io.jgrad.kernels.opencl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tuner's choices on disk: a JSON object from device key ({@link ClDeviceFacts#key()}) to parameter set
 * ({@link GemmParams#toString()}), at {@code -Djgrad.opencl.tuningCache=PATH} or
 * {@code ~/.cache/jgrad/opencl-tuning.json}. Written whole to a temporary file that is then renamed over the
 * old one, so a reader never sees half a file. A file that cannot be read is reported with its path and
 * treated as empty, so the device is tuned again and the file rewritten: a bad cache never stops a program.
 */
public final class GemmTuningCache {

    public static final String PROPERTY = "jgrad.opencl.tuningCache";
    private static final Pattern ENTRY = Pattern.compile("\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*(?:,|$)");

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
        StringBuilder json = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, String> e : entries.entrySet()) {
            json.append("  \"").append(escape(e.getKey())).append("\": \"").append(escape(e.getValue())).append('"')
                    .append(++i < entries.size() ? ",\n" : "\n");
        }
        json.append("}\n");
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                Files.writeString(tmp, json, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            warn("cannot write it (" + e + "); the tuning result is used but not kept");
        }
    }

    /** The entries of the file; empty when it is missing, and empty with a warning when it is not a flat JSON object of strings. */
    Map<String, String> read() {
        Map<String, String> entries = new TreeMap<>();
        if (!Files.exists(file)) return entries;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException | java.io.UncheckedIOException e) {
            warn("cannot read it (" + e + "); tuning again");
            return entries;
        }
        if (!text.startsWith("{") || !text.endsWith("}")) {
            warn("not a JSON object; tuning again and rewriting it");
            return entries;
        }
        String body = text.substring(1, text.length() - 1);
        Matcher m = ENTRY.matcher(body);
        int at = 0;
        while (at < body.length() && !body.substring(at).isBlank()) {
            if (!m.find(at) || m.start() != at) {
                warn("cannot parse it near character " + (at + 1) + "; tuning again and rewriting it");
                return new TreeMap<>();
            }
            entries.put(unescape(m.group(1)), unescape(m.group(2)));
            at = m.end();
        }
        return entries;
    }

    private void warn(String what) {
        System.err.println("jgrad: OpenCL tuning cache " + file + ": " + what);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String unescape(String s) {
        return s.replaceAll("\\\\(.)", "$1");
    }
}
