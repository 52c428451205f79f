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
 */
public final class VectorProvider implements BackendProvider {

    /** Above the reference backend (rank {@link ReferenceProvider#RANK}), so it is chosen whenever it starts. */
    public static final int RANK = 10;

    static final String MODULE = "jdk.incubator.vector";
    static final String MISSING = "module " + MODULE + " is not readable; add --add-modules " + MODULE
            + " to the java command line (the reference kernels run instead)";

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
        if (!vectorModulePresent()) {
            if (LOGGED.compareAndSet(false, true)) System.err.println("jgrad: vector backend unavailable: " + MISSING);
            throw new IllegalStateException(MISSING);
        }
        return new VectorBackend();
    }

    /** True when the running JVM resolved {@code jdk.incubator.vector} (it does only with {@code --add-modules}). */
    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }
}
