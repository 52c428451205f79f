package io.jgrad.kernels.opencl;

import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BackendProvider;

/**
 * Registers the {@link OpenClBackend}. Nothing here touches JOCL until {@link #create()}, which opens the
 * device chosen by {@code -Djgrad.opencl.device} and throws with the cause ("no OpenCL platform found ...",
 * a missing library, a bad device choice) when OpenCL cannot run here.
 */
public final class OpenClProvider implements BackendProvider {

    /** Serves its own device kind, so the rank only orders it among OpenCL providers. */
    public static final int RANK = 20;

    @Override
    public String name() {
        return OpenClBackend.NAME;
    }

    @Override
    public int rank() {
        return RANK;
    }

    @Override
    public Backend create() {
        try {
            return new OpenClBackend(ClRuntime.open());
        } catch (LinkageError e) {
            // libJOCL itself failed to load (an unsupported OS or architecture).
            throw new IllegalStateException("the JOCL native library could not be loaded: " + e, e);
        }
    }
}
