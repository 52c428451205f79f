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
}
