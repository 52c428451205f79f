package io.jgrad.cli.parity;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code attrs} of a fixture: PyTorch keyword arguments decoded from JSON. PyTorch accepts an int or a
 * list for most geometry arguments ({@code stride=2} or {@code stride=[2, 1]}); so does this class.
 */
final class Attrs {

    private final Map<String, Object> values;

    Attrs(Map<String, Object> values) {
        this.values = values;
    }

    boolean has(String name) {
        return values.containsKey(name) && values.get(name) != null;
    }

    /** Throws {@link UnsupportedCase} for any attribute outside {@code known}, so nothing is silently ignored. */
    void requireOnly(String op, Set<String> known) {
        for (String k : values.keySet()) {
            if (!known.contains(k)) throw new UnsupportedCase(op + ": attribute '" + k + "' is not supported");
        }
    }

    /** Throws {@link UnsupportedCase} unless attribute {@code name} is absent or equals {@code expected}. */
    void requireDefault(String op, String name, Object expected) {
        if (!has(name)) return;
        Object v = values.get(name);
        boolean same = v instanceof Number n && expected instanceof Number e ? n.doubleValue() == e.doubleValue() : v.equals(expected);
        if (!same) throw new UnsupportedCase(op + ": " + name + "=" + v + " is not supported (only " + expected + ")");
    }

    double number(String name, double fallback) {
        Object v = values.get(name);
        if (v == null) return fallback;
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException("attribute '" + name + "' should be a number, got " + v);
    }

    int integer(String name, int fallback) {
        return (int) number(name, fallback);
    }

    boolean bool(String name, boolean fallback) {
        Object v = values.get(name);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        throw new IllegalArgumentException("attribute '" + name + "' should be true or false, got " + v);
    }

    String string(String name, String fallback) {
        Object v = values.get(name);
        return v == null ? fallback : v.toString();
    }

    /** A list of numbers, such as an optimiser's {@code betas} (one number is a list of one); {@code fallback} when absent. */
    double[] numbers(String name, double... fallback) {
        Object v = values.get(name);
        if (v == null) return fallback;
        if (v instanceof Number n) return new double[] {n.doubleValue()};
        if (v instanceof List<?> list && list.stream().allMatch(x -> x instanceof Number)) {
            return list.stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
        }
        throw new IllegalArgumentException("attribute '" + name + "' should be a list of numbers, got " + v);
    }

    /** An int or a list of ints, expanded to {@code n} values ({@code 3} -> {@code [3, 3]}). */
    int[] ints(String name, int n, int fallback) {
        Object v = values.get(name);
        int[] out = new int[n];
        if (v == null || (v instanceof List<?> empty && empty.isEmpty())) {
            java.util.Arrays.fill(out, fallback);
        } else if (v instanceof Number num) {
            java.util.Arrays.fill(out, num.intValue());
        } else if (v instanceof List<?> list && (list.size() == n || list.size() == 1)) {
            for (int i = 0; i < n; i++) out[i] = ((Number) list.get(list.size() == 1 ? 0 : i)).intValue();
        } else {
            throw new IllegalArgumentException("attribute '" + name + "' should be an int or a list of " + n + " ints, got " + v);
        }
        return out;
    }

    /** Reduction dims: null (all), one int, or a list of ints. */
    int[] dims(String name) {
        Object v = values.get(name);
        if (v == null) return null;
        if (v instanceof Number num) return new int[] {num.intValue()};
        if (v instanceof List<?> list) {
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) out[i] = ((Number) list.get(i)).intValue();
            return out.length == 0 ? null : out;
        }
        throw new IllegalArgumentException("attribute '" + name + "' should be null, an int or a list of ints, got " + v);
    }
}
