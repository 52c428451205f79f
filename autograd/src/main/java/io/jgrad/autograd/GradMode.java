package io.jgrad.autograd;

/**
 * Per-thread switches of the autograd engine: whether operations are recorded, and whether anomaly
 * detection is on. Both are scopes for try-with-resources:
 *
 * <pre>{@code
 * try (var scope = GradMode.noGrad()) {
 *     Tensor prediction = model.forward(x);   // nothing recorded, nothing kept alive
 * }
 * }</pre>
 */
public final class GradMode {

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});
    private static final ThreadLocal<boolean[]> ANOMALY = ThreadLocal.withInitial(() -> new boolean[] {false});

    private GradMode() {
    }

    /** Restores the previous setting when closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Turns recording off on this thread until the scope closes. */
    public static Scope noGrad() {
        return set(ENABLED, false);
    }

    /** Turns recording on (inside a {@link #noGrad()} scope, say) until the scope closes. */
    public static Scope enableGrad() {
        return set(ENABLED, true);
    }

    public static boolean isAnomalyDetectionEnabled() {
        return ANOMALY.get()[0];
    }

    /**
     * Checks every forward result and every gradient for NaN and infinity until the scope closes, and
     * throws {@link AnomalyException} naming the first op that produced one. Slow: for debugging.
     */
    public static Scope detectAnomaly() {
        return set(ANOMALY, true);
    }

    private static Scope set(ThreadLocal<boolean[]> flag, boolean value) {
        boolean[] cell = flag.get();
        boolean previous = cell[0];
        cell[0] = value;
        return () -> cell[0] = previous;
    }
}
