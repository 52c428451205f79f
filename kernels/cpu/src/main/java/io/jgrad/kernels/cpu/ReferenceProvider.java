package io.jgrad.kernels.cpu;

import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BackendProvider;

/** Registers the {@link ReferenceBackend}; it needs nothing and always starts. */
public final class ReferenceProvider implements BackendProvider {

    /** Below every fast backend: the oracle is chosen only when nothing better runs or when forced. */
    public static final int RANK = 0;

    @Override
    public String name() {
        return ReferenceBackend.NAME;
    }

    @Override
    public int rank() {
        return RANK;
    }

    @Override
    public Backend create() {
        return new ReferenceBackend();
    }
}
