package io.jgrad.cli.parity;

/** A fixture whose op or attributes jgrad does not implement yet: counted as skipped, never as passed. */
final class UnsupportedCase extends RuntimeException {
    UnsupportedCase(String message) {
        super(message);
    }
}
