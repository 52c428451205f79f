package io.jgrad.tensor.spi;

import io.jgrad.tensor.Device;

/**
 * A backend as found by {@link java.util.ServiceLoader}. Implementations must have a cheap no-argument
 * constructor and no static initialiser that can fail: everything that may be missing (a native library, a
 * module, a device) is touched only in {@link #create()}, whose exception becomes the reported cause.
 */
public interface BackendProvider {

    /** Name used with {@code -Djgrad.backend=NAME}. */
    String name();

    /** Higher wins when several backends serve the same kind of device. */
    int rank();

    /** Starts the backend; throws with a readable message when it cannot run here. */
    Backend create() throws Exception;

    /**
     * The kind of device the backend serves. The registry starts CPU backends when it is first used and the
     * others only when one is asked for (by name, by {@code -Djgrad.backend}, or for an array on their device):
     * a GPU backend loads a native driver, and a program that never uses it should neither pay for that nor
     * share its process with it (some drivers install signal handlers of their own).
     */
    default Device.Kind deviceKind() {
        return Device.Kind.CPU;
    }
}
