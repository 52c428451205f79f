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
 * cause and never used. Providers of other device kinds (GPU backends, which load native drivers) start only
 * when first asked for: by name ({@link #get}, {@link #use}, {@code -Djgrad.backend}), for an array on their
 * device ({@link #forDevice}), or by {@link #startAll()}; until then their entry says "not started".
 */
public final class Backends {

    /** One provider and what became of it: started (available, or unavailable with a cause) or not started yet. */
    public record Entry(String name, int rank, Device.Kind kind, Backend backend, String unavailableCause) {
        public boolean available() {
            return backend != null;
        }

        /** False for a GPU provider nobody has asked for yet (it is neither available nor unavailable). */
        public boolean started() {
            return backend != null || unavailableCause != null;
        }
    }

    private static volatile Map<String, Entry> entries;
    /** Providers not started yet, by name; guarded by the class lock. */
    private static final Map<String, BackendProvider> pending = new LinkedHashMap<>();
    private static volatile Backend selected; // the forced backend, or null for "best available"
    /** Why the backend named by -Djgrad.backend cannot be used; every dispatch reports it, never a silent default. */
    private static volatile RuntimeException forcedError;

    private Backends() {
    }

    /** Every provider found, best first, with its cause when it is unavailable; GPU providers only if started. */
    public static List<Entry> status() {
        return List.copyOf(entries().values());
    }

    /** Starts every provider not started yet (for {@code jgrad info}, which lists them all) and returns {@link #status()}. */
    public static List<Entry> startAll() {
        for (String name : entries().keySet()) start(name);
        return status();
    }

    /** The backend named {@code name}; throws naming the cause when it is unknown or could not start. */
    public static Backend get(String name) {
        Entry e = start(name);
        if (e == null) {
            throw new IllegalArgumentException("no backend named '" + name + "': found " + entries().keySet());
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
            if (!e.started() && e.kind() == device.kind()) e = start(e.name());
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
            sb.append(e.name()).append(e.available() ? " (available, " + e.backend().device() + ")"
                    : e.started() ? " (unavailable: " + e.unavailableCause() + ")" : " (not started)");
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

    /** The entry of {@code name}, started now if it was pending; null when there is no such provider. */
    private static synchronized Entry start(String name) {
        Map<String, Entry> all = entries();
        BackendProvider provider = pending.remove(name);
        if (provider == null) return all.get(name);
        Map<String, Entry> updated = new LinkedHashMap<>(all);
        updated.put(name, start(provider));
        entries = updated;
        return updated.get(name);
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
                found.add(new Entry("<unloadable provider>", Integer.MIN_VALUE, Device.Kind.CPU, null, String.valueOf(e)));
                continue;
            }
            if (provider.deviceKind() == Device.Kind.CPU) {
                found.add(start(provider));
            } else if (!pending.containsKey(provider.name())) {
                pending.put(provider.name(), provider);
                found.add(new Entry(provider.name(), provider.rank(), provider.deviceKind(), null, null));
            }
        }
        found.sort(Comparator.comparingInt(Entry::rank).reversed());
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (Entry e : found) byName.putIfAbsent(e.name(), e);
        return byName;
    }

    private static Entry start(BackendProvider provider) {
        try {
            return new Entry(provider.name(), provider.rank(), provider.deviceKind(), provider.create(), null);
        } catch (Exception | LinkageError e) {
            String cause = e.getMessage() != null ? e.getMessage() : e.toString();
            return new Entry(provider.name(), provider.rank(), provider.deviceKind(), null, cause);
        }
    }
}
