package io.jgrad.tensor.spi;

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
}
