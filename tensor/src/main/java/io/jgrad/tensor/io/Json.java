package io.jgrad.tensor.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) parser and compact writer, enough for safetensors headers and fixture
 * metadata.
 *
 * <p>Parsed values map to Java as follows: object → {@code LinkedHashMap<String, Object>} (keys in document
 * order), array → {@code List<Object>}, string → {@code String}, {@code true}/{@code false} →
 * {@code Boolean}, {@code null} → {@code null}, and a number → {@code Long} when it has no fraction and no
 * exponent and fits in 64 bits, {@code BigInteger} when it has neither but does not fit, else
 * {@code Double}.
 *
 * <p>Strict means: exactly one value with only JSON whitespace around it; no comments, trailing commas,
 * single quotes, leading zeros, {@code +} signs, {@code NaN} or unescaped control characters; duplicate
 * object keys, {@code \\u} escapes that leave a surrogate unpaired, numbers beyond the range of a double
 * and number literals longer than {@value #MAX_NUMBER_LENGTH} characters are rejected too. Nesting deeper
 * than {@value #MAX_DEPTH} is rejected, so hostile input cannot overflow the stack. Every error is a
 * {@link JsonException} with the character offset and what was expected.
 */
public final class Json {

    /** Deepest nesting of arrays and objects that {@link #parse} and {@link #write} accept. */
    public static final int MAX_DEPTH = 512;

    /** Longest number literal {@link #parse} accepts; keeps big-integer parsing linear in the input. */
    public static final int MAX_NUMBER_LENGTH = 1000;

    private Json() {
    }

    /** The value of a JSON text; throws {@link JsonException} when the text is not valid JSON. */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) throw p.error("expected end of input after the value");
        return value;
    }

    /**
     * Compact JSON for {@code value}: a {@code Map} with {@code String} keys (written in iteration order), a
     * {@code Collection}, a {@code String}, a {@code Boolean}, {@code null}, or a finite number
     * ({@code Long}, {@code Integer}, {@code Short}, {@code Byte}, {@code BigInteger}, {@code BigDecimal},
     * {@code Double}, {@code Float}). Anything else, NaN, an infinity, a string with an unpaired surrogate
     * or nesting deeper than {@value #MAX_DEPTH} (a cycle, for instance) throws
     * {@link IllegalArgumentException}.
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb, 0);
        return sb.toString();
    }

    private static void write(Object value, StringBuilder sb, int depth) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof String s) {
            writeString(s, sb);
        } else if (value instanceof Boolean b) {
            sb.append(b.booleanValue());
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger || value instanceof BigDecimal) {
            sb.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) throw new IllegalArgumentException("Json.write: " + value + " cannot be written as JSON");
            sb.append(value); // Double.toString / Float.toString: shortest text that reads back exactly, valid JSON
        } else if (value instanceof Map<?, ?> map) {
            checkDepth(depth);
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("Json.write: object keys must be strings, got " + describeClass(e.getKey()));
                }
                if (!first) sb.append(',');
                first = false;
                writeString(key, sb);
                sb.append(':');
                write(e.getValue(), sb, depth + 1);
            }
            sb.append('}');
        } else if (value instanceof Collection<?> list) {
            checkDepth(depth);
            sb.append('[');
            boolean first = true;
            for (Object element : list) {
                if (!first) sb.append(',');
                first = false;
                write(element, sb, depth + 1);
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("Json.write: cannot write a " + describeClass(value) + " as JSON");
        }
    }

    private static void checkDepth(int depth) {
        if (depth >= MAX_DEPTH) throw new IllegalArgumentException("Json.write: nesting deeper than " + MAX_DEPTH + " (does the value contain itself?)");
    }

    private static String describeClass(Object o) {
        return o == null ? "null" : o.getClass().getName();
    }

    private static void writeString(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        throw new IllegalArgumentException("Json.write: string has an unpaired surrogate U+" + hex(c) + " at index " + i);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static String hex(char c) {
        return String.format("%04X", (int) c);
    }

    /** Recursive descent over the text; {@code depth} counts the arrays and objects we are inside. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        Object value(int depth) {
            if (pos >= s.length()) throw error("expected a JSON value");
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object(depth + 1);
                case '[' -> array(depth + 1);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) yield number();
                    throw error("expected a JSON value (object, array, string, number, true, false or null)");
                }
            };
        }

        private Map<String, Object> object(int depth) {
            checkDepth(depth);
            pos++; // '{'
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                if (peek() != '"') throw error(map.isEmpty() ? "expected '\"' to start a key or '}'" : "expected '\"' to start a key");
                int keyAt = pos;
                String key = string();
                if (map.containsKey(key)) throw new JsonException("duplicate key " + quote(key), keyAt);
                skipWhitespace();
                expect(':');
                skipWhitespace();
                map.put(key, value(depth));
                skipWhitespace();
                if (peek() == ',') {
                    pos++;
                    skipWhitespace();
                } else if (peek() == '}') {
                    pos++;
                    return map;
                } else {
                    throw error("expected ',' or '}' in object");
                }
            }
        }

        private List<Object> array(int depth) {
            checkDepth(depth);
            pos++; // '['
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value(depth));
                skipWhitespace();
                if (peek() == ',') {
                    pos++;
                    skipWhitespace();
                } else if (peek() == ']') {
                    pos++;
                    return list;
                } else {
                    throw error("expected ',' or ']' in array");
                }
            }
        }

        private void checkDepth(int depth) {
            if (depth > MAX_DEPTH) throw new JsonException("nesting deeper than " + MAX_DEPTH + " arrays and objects", pos);
        }

        private String string() {
            pos++; // opening quote
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) throw error("expected '\"' to end the string");
                char c = s.charAt(pos);
                if (c == '"') {
                    pos++;
                    return sb.toString();
                } else if (c == '\\') {
                    escape(sb);
                } else if (c < 0x20) {
                    throw error("expected a character or an escape; control characters must be escaped in strings");
                } else {
                    sb.append(c);
                    pos++;
                }
            }
        }

        /** One escape at {@code pos} (the backslash), appended to {@code sb}. */
        private void escape(StringBuilder sb) {
            int at = pos;
            pos++;
            if (pos >= s.length()) throw error("expected an escape character after '\\'");
            char c = s.charAt(pos++);
            switch (c) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char u = hex4();
                    if (Character.isHighSurrogate(u)) {
                        int lowAt = pos;
                        if (!s.startsWith("\\u", pos)) {
                            throw new JsonException("expected a \\u escape of a low surrogate after the high surrogate \\u" + hex(u), lowAt);
                        }
                        pos += 2;
                        char low = hex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw new JsonException("expected a low surrogate (\\uDC00-\\uDFFF) after the high surrogate \\u" + hex(u)
                                    + ", found \\u" + hex(low), lowAt);
                        }
                        sb.append(u).append(low);
                    } else if (Character.isLowSurrogate(u)) {
                        throw new JsonException("expected a high surrogate before the low surrogate \\u" + hex(u), at);
                    } else {
                        sb.append(u);
                    }
                }
                default -> {
                    pos--;
                    throw error("expected one of \" \\ / b f n r t u after '\\'");
                }
            }
        }

        private char hex4() {
            int v = 0;
            for (int k = 0; k < 4; k++) {
                int d = pos < s.length() ? Character.digit(s.charAt(pos), 16) : -1;
                if (d < 0) throw error("expected 4 hex digits after \\u");
                v = v * 16 + d;
                pos++;
            }
            return (char) v;
        }

        private Object number() {
            int start = pos;
            if (peek() == '-') pos++;
            if (peek() == '0') {
                pos++;
                if (isDigit(peek())) throw error("expected '.', 'e' or the end of the number; leading zeros are not allowed");
            } else if (isDigit(peek())) {
                while (isDigit(peek())) pos++;
            } else {
                throw error("expected a digit");
            }
            boolean integral = true;
            if (peek() == '.') {
                integral = false;
                pos++;
                if (!isDigit(peek())) throw error("expected a digit after the decimal point");
                while (isDigit(peek())) pos++;
            }
            if (peek() == 'e' || peek() == 'E') {
                integral = false;
                pos++;
                if (peek() == '+' || peek() == '-') pos++;
                if (!isDigit(peek())) throw error("expected a digit in the exponent");
                while (isDigit(peek())) pos++;
            }
            if (pos - start > MAX_NUMBER_LENGTH) {
                throw new JsonException("number literal of " + (pos - start) + " characters is longer than " + MAX_NUMBER_LENGTH, start);
            }
            String text = s.substring(start, pos);
            if (integral) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException tooBig) {
                    return new BigInteger(text);
                }
            }
            double d = Double.parseDouble(text);
            if (Double.isInfinite(d)) throw new JsonException("number " + text + " is beyond the range of a double", start);
            return d;
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, pos)) throw error("expected '" + word + "'");
            pos += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) throw error("expected '" + c + "'");
            pos++;
        }

        /** The character at {@code pos}, or -1 at the end of the text. */
        private int peek() {
            return pos < s.length() ? s.charAt(pos) : -1;
        }

        private static boolean isDigit(int c) {
            return c >= '0' && c <= '9';
        }

        void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
                pos++;
            }
        }

        JsonException error(String expected) {
            return new JsonException(expected + ", found " + found(), pos);
        }

        private String found() {
            if (pos >= s.length()) return "end of input";
            char c = s.charAt(pos);
            return c < 0x20 || c > 0x7e ? "U+" + hex(c) : "'" + c + "'";
        }
    }

    private static String quote(String s) {
        return '"' + s + '"';
    }
}
