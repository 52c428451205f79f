package io.jgrad.data;

import java.io.IOException;

/** A dataset's files are not where they were looked for; the message says how to get them. */
public final class DatasetNotFoundException extends IOException {

    public DatasetNotFoundException(String message) {
        super(message);
    }
}
