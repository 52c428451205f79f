package io.jgrad.tensor.io;

/** Text that is not valid JSON: the message says where (a character offset) and what was expected there. */
public final class JsonException extends IllegalArgumentException {

    private final int offset;

    public JsonException(String problem, int offset) {
        super("JSON error at offset " + offset + ": " + problem);
        this.offset = offset;
    }

    /** The character offset in the parsed text where the problem was found. */
    public int offset() {
        return offset;
    }
}
