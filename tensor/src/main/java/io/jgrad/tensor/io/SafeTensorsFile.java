package io.jgrad.tensor.io;

import io.jgrad.tensor.NDArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contents of one safetensors file: its tensors in header order and its {@code __metadata__} strings.
 * Both maps are unmodifiable and keep the order of the file's header.
 *
 * @param source where it was read from (the path, or the name given for in-memory bytes), for messages
 */
public record SafeTensorsFile(String source, Map<String, NDArray> tensors, Map<String, String> metadata) {

    private static final int NAMES_IN_MESSAGES = 20;

    public SafeTensorsFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The tensor called {@code name}; throws {@link IllegalArgumentException} naming the file and the tensors it has. */
    public NDArray get(String name) {
        NDArray a = tensors.get(name);
        if (a == null) {
            throw new IllegalArgumentException(source + ": no tensor named '" + name + "'; the file has " + names());
        }
        return a;
    }

    private String names() {
        if (tensors.isEmpty()) return "no tensors";
        List<String> shown = new ArrayList<>();
        for (String n : tensors.keySet()) {
            if (shown.size() == NAMES_IN_MESSAGES) break;
            shown.add(n);
        }
        int more = tensors.size() - shown.size();
        return String.join(", ", shown) + (more > 0 ? " and " + more + " more" : "");
    }
}
