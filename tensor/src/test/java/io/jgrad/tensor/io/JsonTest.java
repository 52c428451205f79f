package io.jgrad.tensor.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    // ---- values ---------------------------------------------------------------------------------------

    @Test
    void literals() {
        assertEquals(Boolean.TRUE, Json.parse("true"));
        assertEquals(Boolean.FALSE, Json.parse(" false "));
        assertNull(Json.parse("\t\r\nnull\n"));
    }

    @Test
    void integersAreLongsAndTheRestDoubles() {
        assertEquals(0L, Json.parse("0"));
        assertEquals(0L, Json.parse("-0"));
        assertEquals(42L, Json.parse("42"));
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(1.5, Json.parse("1.5"));
        assertEquals(1000.0, Json.parse("1e3"));
        assertEquals(-0.0125, Json.parse("-1.25E-2"));
        assertEquals(2.0, Json.parse("2.0"));
        assertEquals(1e-5, Json.parse("1e-05"));
        assertEquals(0.0, Json.parse("1e-400")); // underflow to zero is allowed; overflow is not
    }

    @Test
    void integersBeyondLongStayExact() {
        assertEquals(new BigInteger("9223372036854775808"), Json.parse("9223372036854775808"));
        assertEquals(new BigInteger("-18446744073709551616"), Json.parse("-18446744073709551616"));
    }

    @Test
    void stringEscapes() {
        assertEquals("\" \\ / \b \f \n \r \t", Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""));
        assertEquals("é\u0000\u001f", Json.parse("\"\\u00e9\\u0000\\u001F\""));
        assertEquals("😀", Json.parse("\"\\ud83d\\ude00\""));
        assertEquals("😀 déjà", Json.parse("\"😀 déjà\""));
        assertEquals("", Json.parse("\"\""));
    }

    @Test
    void objectsKeepDocumentOrder() {
        Object v = Json.parse("{\"z\": 1, \"a\": [true, null, \"s\"], \"m\": {}}");
        Map<?, ?> map = assertInstanceOf(LinkedHashMap.class, v);
        assertEquals(List.of("z", "a", "m"), new ArrayList<>(map.keySet()));
        assertEquals(Arrays.asList(true, null, "s"), map.get("a"));
        assertEquals(Map.of(), map.get("m"));
        assertEquals(List.of(), Json.parse("[ ]"));
    }

    // ---- writing and round trips ----------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{}",
        "[]",
        "{\"a\":1,\"b\":[1,2.5,-3.0E-7,true,false,null],\"c\":{\"d\":\"e\"}}",
        "[\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\",\"é😀\"]",
        "{\"z\":{\"y\":{\"x\":[[[]]]}}}",
        "123456789012345678901234567890",
        "-1.7976931348623157E308",
    })
    void compactTextRoundTrips(String text) {
        assertEquals(text, Json.write(Json.parse(text)));
    }

    @Test
    void writerEscapesAndFormats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("quote\"back\\slash", "line\nbreak\u0007");
        m.put("ints", List.of(1, 2L, (short) 3, (byte) 4, BigInteger.TEN));
        m.put("floats", List.of(0.1, 1e21, 0.5f, new BigDecimal("1.25")));
        m.put("none", null);
        String json = Json.write(m);
        assertEquals("{\"quote\\\"back\\\\slash\":\"line\\nbreak\\u0007\",\"ints\":[1,2,3,4,10],\"floats\":[0.1,1.0E21,0.5,1.25],\"none\":null}", json);
        assertEquals(m.get("quote\"back\\slash"), ((Map<?, ?>) Json.parse(json)).get("quote\"back\\slash"));
    }

    @Test
    void doublesReadBackExactly() {
        for (double d : new double[] {0.1, -2.5e-300, 1.0 / 3, Double.MAX_VALUE, Double.MIN_VALUE, 123456789.0}) {
            assertEquals(d, Json.parse(Json.write(d)));
        }
    }

    @Test
    void writerRejectsWhatJsonCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, "x")));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
        assertThrows(IllegalArgumentException.class, () -> Json.write("lone \ud800 surrogate"));
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.write(cycle));
        assertTrue(e.getMessage().contains("nesting deeper than 512"), e.getMessage());
    }

    // ---- errors: each names the offset and what was expected -------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "empty input                | ``                 | 0  | expected a JSON value",
        "only whitespace            | `   `              | 3  | expected a JSON value",
        "trailing comma in array    | [1,]               | 3  | expected a JSON value",
        "trailing comma in object   | {\"a\":1,}         | 7  | expected '\"' to start a key",
        "missing colon              | {\"a\" 1}          | 5  | expected ':'",
        "missing comma              | [1 2]              | 3  | expected ',' or ']'",
        "unclosed array             | [1                 | 2  | expected ',' or ']'",
        "unclosed object            | {\"a\":1           | 6  | expected ',' or '}'",
        "unquoted key               | {a:1}              | 1  | expected '\"' to start a key or '}'",
        "single quotes              | ['a']              | 1  | expected a JSON value",
        "unterminated string        | \"abc              | 4  | expected '\"' to end the string",
        "bad escape                 | \"\\x\"            | 2  | expected one of",
        "short unicode escape       | \"\\u12\"          | 5  | expected 4 hex digits",
        "lone high surrogate        | \"\\ud800x\"       | 7  | expected a \\u escape of a low surrogate",
        "high then non-low          | \"\\ud800\\u0041\" | 7  | expected a low surrogate",
        "lone low surrogate         | \"\\udc00\"        | 1  | expected a high surrogate",
        "leading zero               | 01                 | 1  | leading zeros are not allowed",
        "plus sign                  | +1                 | 0  | expected a JSON value",
        "minus alone                | -                  | 1  | expected a digit",
        "dot without digits         | 1.                 | 2  | expected a digit after the decimal point",
        "leading dot                | .5                 | 0  | expected a JSON value",
        "empty exponent             | 1e+                | 3  | expected a digit in the exponent",
        "NaN                        | NaN                | 0  | expected a JSON value",
        "Infinity                   | -Infinity          | 1  | expected a digit",
        "truncated literal          | tru                | 0  | expected 'true'",
        "capitalised literal        | True               | 0  | expected a JSON value",
        "two values                 | 1 2                | 2  | expected end of input",
        "comment                    | [1] // x           | 4  | expected end of input",
        "duplicate key              | {\"a\":1,\"a\":2}  | 7  | duplicate key \"a\"",
        "double overflow            | [1e400]            | 1  | beyond the range of a double",
    })
    void errorsSayWhereAndWhat(String what, String text, int offset, String expected) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text));
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith("JSON error at offset " + offset + ": "), e.getMessage());
        assertInstanceOf(IllegalArgumentException.class, e);
    }

    @Test
    void errorsNameWhatWasFound() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[1 x]"));
        assertTrue(e.getMessage().endsWith("found 'x'"), e.getMessage());
        e = assertThrows(JsonException.class, () -> Json.parse("[1"));
        assertTrue(e.getMessage().endsWith("found end of input"), e.getMessage());
    }

    @Test
    void unescapedControlCharactersAreRejected() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("\"a\nb\""));
        assertEquals(2, e.offset());
        assertTrue(e.getMessage().contains("control characters must be escaped") && e.getMessage().contains("U+000A"), e.getMessage());
    }

    @Test
    void nestingIsLimited() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertEquals(ok, Json.write(Json.parse(ok)));
        String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(tooDeep));
        assertEquals(Json.MAX_DEPTH, e.offset());
        assertTrue(e.getMessage().contains("nesting deeper than 512"), e.getMessage());
        // Hostile input far deeper than any stack: rejected, not a StackOverflowError.
        assertThrows(JsonException.class, () -> Json.parse("{\"a\":".repeat(1_000_000)));
    }

    @Test
    void numberLiteralsAreLimitedInLength() {
        String longest = "1".repeat(Json.MAX_NUMBER_LENGTH);
        assertEquals(new BigInteger(longest), Json.parse(longest));
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[" + "1".repeat(Json.MAX_NUMBER_LENGTH + 1) + "]"));
        assertEquals(1, e.offset());
        assertTrue(e.getMessage().contains("longer than 1000"), e.getMessage());
    }
}
