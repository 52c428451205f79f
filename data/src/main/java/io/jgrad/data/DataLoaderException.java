package io.jgrad.data;

/**
 * Loading a batch failed (in a dataset's {@code get} or a transform); the cause is the original exception,
 * thrown on the loader's background thread or on the caller's.
 */
public final class DataLoaderException extends RuntimeException {

    public DataLoaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
