package io.jgrad.kernels.cpu;

import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BackendProvider;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Registers the {@link VectorBackend}, which needs the incubating module {@code jdk.incubator.vector}.
 *
 * <p>This class never touches a Vector API class: it asks the boot layer whether the module is there, and
 * only then does {@link #create()} load {@code VectorBackend} (and with it the Vector API). Without the module
 * {@code create()} throws with the fix in its message, {@link io.jgrad.tensor.Backends} keeps that as the
 * cause ({@code jgrad info} shows it) and falls back to the reference kernels, and one line is logged.
 *
 * <p>It refuses the same way, as Lucene's {@code VectorizationProvider} does, where the Vector API would run its
 * slow Java fallback instead of SIMD instructions: without the C2 compiler ({@code -Xint},
 * {@code -XX:TieredStopAtLevel=1..3}, a client VM; see {@link JitFacts}), or when the CPU's preferred float
 * vector is under 128 bits (no SIMD unit the Vector API uses).
 */
public final class VectorProvider implements BackendProvider {

    /** Above the reference backend (rank {@link ReferenceProvider#RANK}), so it is chosen whenever it starts. */
    public static final int RANK = 10;

    static final String MODULE = "jdk.incubator.vector";
    static final String MISSING = "module " + MODULE + " is not readable; add --add-modules " + MODULE
            + " to the java command line (the reference kernels run instead)";

    /** The narrowest preferred float vector worth running: one SSE / NEON register. */
    static final int MIN_VECTOR_BITS = 128;

    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    @Override
    public String name() {
        return VectorBackend.NAME;
    }

    @Override
    public int rank() {
        return RANK;
    }

    @Override
    public Backend create() {
        if (!vectorModulePresent()) throw unavailable(MISSING);
        String slow = slowFallbackCause(JitFacts.ofRunningJvm(), VectorBackend.preferredFloatBits());
        if (slow != null) throw unavailable(slow);
        return new VectorBackend();
    }

    private static IllegalStateException unavailable(String cause) {
        if (LOGGED.compareAndSet(false, true)) System.err.println("jgrad: vector backend unavailable: " + cause);
        return new IllegalStateException(cause);
    }

    /**
     * Null when the Vector API compiles to SIMD code here; otherwise why it would run as slow Java objects
     * instead, ending in what runs instead.
     */
    static String slowFallbackCause(JitFacts jit, int preferredFloatBits) {
        String noC2 = jit.whyNoC2();
        if (noC2 != null) return noC2 + ": the Vector API would run as plain Java objects, slower than the reference kernels, which run instead";
        if (preferredFloatBits < MIN_VECTOR_BITS) {
            return "the preferred float vector is " + preferredFloatBits + " bits, under " + MIN_VECTOR_BITS
                    + " (no SIMD unit the Vector API can use): the reference kernels run instead";
        }
        return null;
    }

    /** True when the running JVM resolved {@code jdk.incubator.vector} (it does only with {@code --add-modules}). */
    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }
}
