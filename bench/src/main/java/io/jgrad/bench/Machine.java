package io.jgrad.bench;

import io.jgrad.kernels.cpu.VectorBackend;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.spi.Backend;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the report runs on: the JDK, whether the Vector API is active, the cores; printed at the top. */
final class Machine {

    private Machine() {
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    static boolean vectorActive() {
        return Backends.status().stream().anyMatch(e -> e.name().equals(VectorBackend.NAME) && e.available());
    }

    /** jgrad's backend with {@code threads} threads: the vector backend if it runs here, else the reference. */
    static Backend jgrad(int threads) {
        return vectorActive() ? VectorBackend.withThreads(threads) : Backends.get("reference");
    }

    static void describe(PrintStream out) {
        out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", " + System.getProperty("java.home") + ")");
        if (vectorActive()) {
            out.println("Vector API: active (backend 'vector', " + VectorBackend.species() + ")");
        } else {
            String cause = Backends.status().stream().filter(e -> e.name().equals(VectorBackend.NAME)).map(Backends.Entry::unavailableCause)
                    .findFirst().orElse("no vector provider found");
            out.println("Vector API: NOT active, jgrad runs the reference kernels (" + cause + ")");
        }
        out.println(String.format(Locale.ROOT, "cpu: %s, %d cores; load average %s", cpuName(), cores(), loadAverage()));
    }

    private static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (Exception ignored) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    /** The 1, 5 and 15 minute load averages ({@code uptime}), or "n/a" off Linux: the bench prints them, as timings on a shared machine need them. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "n/a";
        }
    }

    /** A number for the table, or "n/a". */
    static String cell(Double value, int width, String format) {
        String text = value == null || value.isNaN() ? "n/a" : String.format(Locale.ROOT, format, value);
        return String.format(Locale.ROOT, "%" + width + "s", text);
    }
}
