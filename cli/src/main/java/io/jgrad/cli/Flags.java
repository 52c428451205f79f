package io.jgrad.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Parsed {@code --name value}, {@code --name=value} and {@code --switch} arguments of one subcommand, checked
 * against the options it knows; everything else is a positional argument. Every mistake is a
 * {@link UsageError} naming the option.
 */
public final class Flags {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final boolean help;

    /**
     * @param withValue options that take a value ({@code --epochs 3})
     * @param switches  options that take none ({@code --no-progress})
     */
    public Flags(List<String> args, Set<String> withValue, Set<String> switches) {
        boolean helpSeen = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--help") || a.equals("-h")) {
                helpSeen = true;
            } else if (a.startsWith("--")) {
                String name = a, value = null;
                int eq = a.indexOf('=');
                if (eq > 0) {
                    name = a.substring(0, eq);
                    value = a.substring(eq + 1);
                }
                if (switches.contains(name)) {
                    if (value != null) throw new UsageError(name + " takes no value");
                    values.put(name, "true");
                } else if (withValue.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.size()) throw new UsageError(name + " needs a value");
                        value = args.get(++i);
                    }
                    values.put(name, value);
                } else {
                    throw new UsageError("unknown option '" + name + "'");
                }
            } else {
                positional.add(a);
            }
        }
        this.help = helpSeen;
    }

    public boolean help() {
        return help;
    }

    public List<String> positional() {
        return positional;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** One of {@code allowed}. */
    public String choice(String name, String fallback, List<String> allowed) {
        return choiceOf(name, string(name, fallback), allowed);
    }

    public int positiveInt(String name, int fallback) {
        String v = values.get(name);
        return v == null ? fallback : positiveIntOf(name, v);
    }

    public long integer(String name, long fallback) {
        String v = values.get(name);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageError(name + " expects an integer, got '" + v + "'");
        }
    }

    /** A finite number {@code >= min} (exclusive when {@code strict}). */
    public double number(String name, double fallback, double min, boolean strict) {
        String v = values.get(name);
        return v == null ? fallback : numberOf(name, v, min, strict);
    }

    /** A comma-separated list of {@link #choice} values. */
    public List<String> choices(String name, String fallback, List<String> allowed) {
        return list(name, fallback, v -> choiceOf(name, v, allowed));
    }

    /** A comma-separated list of {@link #positiveInt} values. */
    public List<Integer> positiveInts(String name, String fallback) {
        return list(name, fallback, v -> positiveIntOf(name, v));
    }

    /** A comma-separated list of {@link #number} values. */
    public List<Double> numbers(String name, String fallback, double min, boolean strict) {
        return list(name, fallback, v -> numberOf(name, v, min, strict));
    }

    private <T> List<T> list(String name, String fallback, Function<String, T> parse) {
        List<T> out = new ArrayList<>();
        for (String item : string(name, fallback).split(",", -1)) out.add(parse.apply(item.trim()));
        return out;
    }

    private static String choiceOf(String name, String v, List<String> allowed) {
        if (!allowed.contains(v)) throw new UsageError(name + " expects one of " + String.join("|", allowed) + ", got '" + v + "'");
        return v;
    }

    private static int positiveIntOf(String name, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageError(name + " expects a positive integer, got '" + v + "'");
    }

    private static double numberOf(String name, String v, double min, boolean strict) {
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d) && (strict ? d > min : d >= min)) return d;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageError(name + " expects a number " + (strict ? ">" : ">=") + " " + min + ", got '" + v + "'");
    }
}
