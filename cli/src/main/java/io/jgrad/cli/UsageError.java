package io.jgrad.cli;

/** A mistake in the command line: reported on one line, exit status 2. */
public final class UsageError extends RuntimeException {
    public UsageError(String message) {
        super(message);
    }
}
