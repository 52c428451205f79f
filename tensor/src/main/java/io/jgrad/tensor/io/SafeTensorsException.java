package io.jgrad.tensor.io;

import java.io.IOException;

/**
 * A safetensors file that breaks the format: the message starts with the file's name and says what is
 * wrong. An {@link IOException}, as {@link java.util.zip.ZipException} is for zip files, so callers that
 * handle I/O failures handle broken files too.
 */
public final class SafeTensorsException extends IOException {

    private final String source;

    public SafeTensorsException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    public SafeTensorsException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** The file (or the name given for in-memory bytes) that was being read. */
    public String source() {
        return source;
    }
}
