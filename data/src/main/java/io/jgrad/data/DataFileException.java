package io.jgrad.data;

import java.io.IOException;

/**
 * A data file that breaks its format (IDX, CSV): the message starts with the file's name and says what is
 * wrong and where. An {@link IOException}, so callers that handle I/O failures handle broken files too.
 */
public final class DataFileException extends IOException {

    private final String source;

    public DataFileException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    public DataFileException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file (or resource) that was being read. */
    public String source() {
        return source;
    }
}
