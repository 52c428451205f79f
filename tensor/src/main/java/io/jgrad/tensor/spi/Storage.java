package io.jgrad.tensor.spi;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;

/**
 * A flat block of elements of one dtype on one device. An {@code NDArray} is a strided view over a
 * storage; several arrays may share one. Host storages are {@link HostStorage}; GPU backends subclass this
 * with their own buffer handles.
 */
public abstract class Storage {
    private final DType dtype;
    private final int size;
    /**
     * How many in-place writes this storage has had (PyTorch's version counter): autograd remembers it when it
     * saves an array for backward and refuses to compute a gradient from values changed since.
     */
    private int version;

    protected Storage(DType dtype, int size) {
        this.dtype = dtype;
        this.size = size;
    }

    public final DType dtype() {
        return dtype;
    }

    /** Number of elements. */
    public final int size() {
        return size;
    }

    public abstract Device device();

    /** The number of in-place writes so far (see {@link #bumpVersion}). */
    public final int version() {
        return version;
    }

    /** Counts one in-place write; every NDArray method that writes into an existing array calls it. */
    public final void bumpVersion() {
        version++;
    }
}
