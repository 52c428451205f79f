package io.jgrad.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value}, {@code --name=value} and {@code --switch} arguments of {@link SparkTrain}, checked
 * against the options it knows. Every mistake is an {@link IllegalArgumentException} naming the option, which
 * {@link SparkTrain#run} turns into a usage error.
 */
final class SparkTrainOptions {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    SparkTrainOptions(List<String> args, Set<String> withValue, Set<String> switches) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            String value = eq > 0 ? a.substring(eq + 1) : null;
            if (switches.contains(name)) {
                if (value != null) throw new IllegalArgumentException(name + " takes no value");
                values.put(name, "true");
            } else if (withValue.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) throw new IllegalArgumentException(name + " needs a value");
                    value = args.get(++i);
                }
                values.put(name, value);
            } else {
                throw new IllegalArgumentException("unknown option '" + name + "'");
            }
        }
    }

    List<String> positional() {
        return positional;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String choice(String name, String fallback, List<String> allowed) {
        String v = string(name, fallback);
        if (!allowed.contains(v)) throw new IllegalArgumentException(name + " expects one of " + String.join("|", allowed) + ", got '" + v + "'");
        return v;
    }

    int positiveInt(String name, int fallback) {
        String v = values.get(name);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " expects a whole number >= 1, got '" + v + "'");
    }

    long integer(String name, long fallback) {
        String v = values.get(name);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " expects an integer, got '" + v + "'");
        }
    }

    /** A finite number {@code >= min} ({@code > min} when {@code exclusive}). */
    double number(String name, double fallback, double min, boolean exclusive) {
        String v = values.get(name);
        if (v == null) return fallback;
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " expects a number, got '" + v + "'");
        }
        if (!Double.isFinite(d) || (exclusive ? d <= min : d < min)) {
            throw new IllegalArgumentException(name + " expects a number " + (exclusive ? "> " : ">= ") + min + ", got '" + v + "'");
        }
        return d;
    }
}
