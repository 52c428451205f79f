package io.jgrad.tensor;

import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BackendProvider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the backends on the class path once, ranks them, and says which one serves each device.
 *
 * <p>For host memory the highest-ranked CPU backend wins unless {@code -Djgrad.backend=NAME} (or
 * {@link #use(String)}) picks another. A provider that cannot start is kept in {@link #status()} with its
 * cause and never used.
 */
public final class Backends {

    /** One provider and what became of it. */
    public record Entry(String name, int rank, Backend backend, String unavailableCause) {
        public boolean available() {
            return backend != null;
        }
    }

    private static volatile Map<String, Entry> entries;
    private static volatile Backend selected; // the forced backend, or null for "best available"
    /** Why the backend named by -Djgrad.backend cannot be used; every dispatch reports it, never a silent default. */
    private static volatile RuntimeException forcedError;

    private Backends() {
    }

    /** Every provider found, best first, with its cause when it is unavailable. */
    public static List<Entry> status() {
        return List.copyOf(entries().values());
    }

    /** The backend named {@code name}; throws naming the cause when it is unknown or could not start. */
    public static Backend get(String name) {
        Entry e = entries().get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown backend '" + name + "'; found: " + entries().keySet());
        }
        if (!e.available()) {
            throw new IllegalStateException("backend '" + name + "' is unavailable: " + e.unavailableCause());
        }
        return e.backend();
    }

    /**
     * Makes {@code name} the backend for its device from now on (and that device the default for new
     * arrays); {@code null} returns to the automatic choice.
     */
    public static synchronized void use(String name) {
        selected = name == null ? null : get(name);
        forcedError = null;
    }

    /** The backend that runs kernels on arrays of {@code device}. */
    public static Backend forDevice(Device device) {
        Backend forced = selected();
        if (forced != null && forced.device().equals(device)) return forced;
        for (Entry e : entries().values()) {
            if (e.available() && e.backend().device().equals(device)) return e.backend();
        }
        throw new IllegalStateException("no backend available for device " + device + "; status: " + describe());
    }

    /** Where factories put new arrays: the forced backend's device, else the CPU. */
    public static Device defaultDevice() {
        Backend forced = selected();
        return forced != null ? forced.device() : Device.CPU;
    }

    /** One line per provider, for {@code jgrad info} and error messages. */
    public static String describe() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries().values()) {
            if (sb.length() > 0) sb.append("; ");
            sb.append(e.name()).append(e.available() ? " (available, " + e.backend().device() + ")" : " (unavailable: " + e.unavailableCause() + ")");
        }
        return sb.toString();
    }

    private static Backend selected() {
        entries(); // the system property is read together with the providers
        RuntimeException error = forcedError;
        if (error != null) throw new IllegalStateException("-Djgrad.backend: " + error.getMessage(), error);
        return selected;
    }

    private static Map<String, Entry> entries() {
        Map<String, Entry> result = entries;
        if (result == null) {
            synchronized (Backends.class) {
                result = entries;
                if (result == null) {
                    result = load();
                    entries = result;
                    String forced = System.getProperty("jgrad.backend");
                    if (forced != null && !forced.isBlank() && selected == null) {
                        try {
                            selected = get(forced.trim());
                        } catch (RuntimeException e) {
                            forcedError = e;
                        }
                    }
                }
            }
        }
        return result;
    }

    private static Map<String, Entry> load() {
        List<Entry> found = new ArrayList<>();
        var iterator = ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).iterator();
        while (true) {
            BackendProvider provider;
            try {
                if (!iterator.hasNext()) break;
                provider = iterator.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                found.add(new Entry("<unloadable provider>", Integer.MIN_VALUE, null, String.valueOf(e)));
                continue;
            }
            found.add(start(provider));
        }
        found.sort(Comparator.comparingInt(Entry::rank).reversed());
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (Entry e : found) byName.putIfAbsent(e.name(), e);
        return byName;
    }

    private static Entry start(BackendProvider provider) {
        try {
            return new Entry(provider.name(), provider.rank(), provider.create(), null);
        } catch (Exception | LinkageError e) {
            String cause = e.getMessage() != null ? e.getMessage() : e.toString();
            return new Entry(provider.name(), provider.rank(), null, cause);
        }
    }
}
