package io.jgrad.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code jgrad bench gc [--models a,b] [--steps N] [--warmup N]}: issue 14's target "no old-generation collection
 * during 200 training steps of any model at the default heap". Each model of {@code bench models} runs in a fresh
 * JVM ({@link GcProbe}) started without the heap options of this one, so that the heap is the JVM's default
 * for the machine; it warms up, then runs the steps while counting the collections by kind. Old-generation work
 * is any mixed pause, concurrent marking cycle or full GC; the command exits with status 1 when a model had any.
 *
 * <p>To see what triggered them, pass GC logging to the children through the launcher, e.g.
 * {@code JGRAD_JAVA_OPTS=-Xlog:gc ./jgrad bench gc --models lstm}; the {@code site} lines list where the
 * humongous arrays (straight into the old generation) were allocated.
 */
final class GcReport {

    static final int STEPS = 200;
    static final int WARMUP = 20;

    /** The parsed command line. */
    record Options(List<String> models, int steps, int warmup) {

        static Options parse(String[] args) {
            List<String> models = ModelsReport.MODELS;
            int steps = STEPS;
            int warmup = WARMUP;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (i + 1 >= args.length || !List.of("--models", "--steps", "--warmup").contains(arg)) {
                    throw new IllegalArgumentException("unknown option '" + arg + "' (gc takes --models " + String.join(",", ModelsReport.MODELS)
                            + ", --steps N, --warmup N)");
                }
                String value = args[++i];
                switch (arg) {
                    case "--models" -> models = ModelsReport.Options.parse(new String[] {"--models", value}).models();
                    case "--steps" -> steps = positive(arg, value, 1);
                    default -> warmup = positive(arg, value, 0);
                }
            }
            return new Options(models, steps, warmup);
        }

        private static int positive(String option, String value, int min) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= min) return n;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(option + " expects an integer >= " + min + ", got '" + value + "'");
        }
    }

    private GcReport() {
    }

    /** Returns the exit status: 0 when no model had old-generation work during its steps, 1 otherwise. */
    static int run(Options options, PrintStream out) throws IOException, InterruptedException {
        out.println("jgrad bench gc: " + options.steps() + " training steps per model after " + options.warmup()
                + " warm-up steps, each model in a fresh JVM at the default heap");
        Machine.describe(out);
        List<String> jvm = childCommand();
        out.println("child JVM: " + String.join(" ", jvm) + " -cp ... " + GcProbe.class.getName() + " MODEL STEPS WARMUP");
        List<Map<String, String>> rows = new ArrayList<>();
        List<String> sites = new ArrayList<>();
        boolean clean = true;
        out.println();
        out.println(String.format(Locale.ROOT, "%-12s | %8s | %12s | %6s | %5s | %7s | %4s | %13s | %8s | %s", "model", "ms/step", "alloc MiB/st",
                "young", "mixed", "marking", "full", "humong MiB/st", "old-gen", "collector beans (count/time); causes of the collections"));
        for (String model : options.models()) {
            List<String> command = new ArrayList<>(jvm);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), GcProbe.class.getName(), model,
                    Integer.toString(options.steps()), Integer.toString(options.warmup())));
            Map<String, String> row = runChild(command, out, sites);
            if (row == null) {
                out.println(model + ": the child JVM printed no result (see its output above)");
                clean = false;
                continue;
            }
            row.put("model", model);
            rows.add(row);
            clean &= oldGenerationWork(row) == 0;
            out.println(line(row)); // as each model finishes: a run of all of them takes minutes
        }
        if (!sites.isEmpty()) {
            out.println();
            out.println("where the humongous arrays come from (the largest sites per model):");
            sites.forEach(s -> out.println("  " + s));
        }
        out.println();
        out.println(String.format(Locale.ROOT, "heap %s MiB, G1 region %s KiB: %s", rows.isEmpty() ? "n/a" : rows.get(0).get("heap_mib"),
                rows.isEmpty() ? "n/a" : rows.get(0).get("region_kib"),
                clean ? "no old-generation collection in any model" : "OLD-GENERATION COLLECTIONS (mixed, marking or full) in some model"));
        return clean ? 0 : 1;
    }

    /** One model's row of the table. */
    static String line(Map<String, String> row) {
        String beans = row.entrySet().stream().filter(e -> e.getKey().startsWith("bean[")).map(e -> e.getKey().substring(5, e.getKey().length() - 1) + " " + e.getValue())
                .reduce((a, b) -> a + ", " + b).orElse("");
        String causes = row.entrySet().stream().filter(e -> e.getKey().startsWith("cause[")).map(e -> e.getKey().substring(6, e.getKey().length() - 1) + " " + e.getValue())
                .reduce((a, b) -> a + ", " + b).orElse("");
        long old = oldGenerationWork(row);
        return String.format(Locale.ROOT, "%-12s | %8s | %12s | %6d | %5d | %7d | %4d | %13s | %8s | %s; %s", row.get("model"), row.get("step_ms"),
                row.get("alloc_mib_per_step"), pauses(row, "Normal") + pauses(row, "Concurrent_Start") + pauses(row, "Prepare_Mixed"),
                pauses(row, "Mixed"), count(row, "marking_cycles"), count(row, "full"), row.get("humongous_mib_per_step"),
                old == 0 ? "none" : Long.toString(old), beans, causes);
    }

    /** Mixed pauses, concurrent marking cycles and full collections together. */
    static long oldGenerationWork(Map<String, String> row) {
        return pauses(row, "Mixed") + count(row, "marking_cycles") + count(row, "full");
    }

    private static long pauses(Map<String, String> row, String type) {
        return Long.parseLong(row.getOrDefault("pause[" + type + "]", "0"));
    }

    private static long count(Map<String, String> row, String key) {
        return Long.parseLong(row.getOrDefault(key, "0"));
    }

    /** Parses {@code gc MODEL k=v k=v ...} into its key/value pairs. */
    static Map<String, String> parse(String line) {
        Map<String, String> row = new LinkedHashMap<>();
        String[] fields = line.substring(GcProbe.PREFIX.length()).trim().split("\\s+");
        for (String f : Arrays.copyOfRange(fields, 1, fields.length)) {
            int eq = f.indexOf('=');
            if (eq > 0) row.put(f.substring(0, eq), f.substring(eq + 1));
        }
        return row;
    }

    private static Map<String, String> runChild(List<String> command, PrintStream out, List<String> sites) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Map<String, String> row = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith(GcProbe.PREFIX)) row = parse(line);
                else if (line.startsWith(GcProbe.SITE)) sites.add(line.substring(GcProbe.SITE.length()));
                else if (!line.startsWith("WARNING: Using incubator modules")) out.println("  | " + line);
            }
        }
        int status = process.waitFor();
        if (status != 0) out.println("child JVM exited with status " + status);
        return status == 0 ? row : null;
    }

    /**
     * This JVM's launcher and options for a child, without heap sizes (the point is the default heap) and without
     * a flight recording or agent of this process.
     */
    static List<String> childCommand() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        boolean vectorModule = false;
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-Xmx") || arg.startsWith("-Xms") || arg.startsWith("-XX:MaxHeapSize") || arg.startsWith("-XX:InitialHeapSize")
                    || arg.startsWith("-XX:StartFlightRecording") || arg.startsWith("-agentlib") || arg.startsWith("-javaagent")) {
                continue;
            }
            vectorModule |= arg.contains("jdk.incubator.vector");
            command.add(arg);
        }
        if (!vectorModule && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) command.add("--add-modules=jdk.incubator.vector");
        return command;
    }
}
