package io.jgrad.cli;

import io.jgrad.cli.parity.ParityRunner;
import io.jgrad.kernels.opencl.ClDevices;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.Device;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * The {@code jgrad} command line. Every subcommand answers {@code --help}; an unknown subcommand, flag or
 * bad value prints one line to stderr and exits with status 2.
 */
public final class Jgrad {

    private static final String USAGE_HEAD = """
            usage: jgrad <command> [options]

            commands:
              train                        train a model (default: an MLP on the embedded digits) and report test accuracy
              eval --checkpoint FILE       a checkpoint's accuracy on a dataset's test split
              predict --checkpoint FILE IMAGE  classify the images of an IDX file or a PNG
              search                       hyperparameter search (grid or random), trials ranked by validation accuracy
              parity [--backend NAME] DIR  run PyTorch fixture files in DIR and compare outputs and gradients
              info                         list the backends and why any of them is unavailable
            """;

    private static final String USAGE_TAIL = """
              help                         this text

            Run 'jgrad <command> --help' for a command's options.""";

    /** Where the bench module's plug-in jar is built; named when 'bench' is asked for but not on the class path. */
    private static final String BENCH_JAR = "bench/target/jgrad-bench.jar";

    private Jgrad() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command line; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.println(usage());
            return 0;
        }
        String command = args[0];
        List<String> rest = List.of(args).subList(1, args.length);
        try {
            return switch (command) {
                case "parity" -> parity(rest, out);
                case "info" -> info(rest, out);
                case "train" -> TrainCommand.run(rest, out);
                case "eval" -> EvalCommand.run(rest, out);
                case "predict" -> PredictCommand.run(rest, out);
                case "search" -> SearchCommand.run(rest, out);
                default -> plugin(command).run(rest, out, err);
            };
        } catch (UsageError e) {
            err.println("jgrad " + (command.startsWith("-") ? "" : command + ": ") + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("jgrad " + command + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        } catch (OutOfMemoryError | StackOverflowError e) {
            err.println(resourceError(command, e));
            return 1;
        }
    }

    /** One line for an Error that a command can run into with big inputs; any other Error is a bug and propagates. */
    static String resourceError(String command, VirtualMachineError e) {
        return "jgrad " + command + ": " + (e instanceof OutOfMemoryError
                ? "out of memory (" + e.getMessage() + "); the model, batch or dataset is too large for this JVM's maximum heap of "
                        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB: use smaller settings or raise it with -Xmx"
                : "stack overflow: an input nested too deeply");
    }

    /** The help text: the built-in commands, then those that modules on the class path add ({@link JgradCommand}). */
    static String usage() {
        StringBuilder text = new StringBuilder(USAGE_HEAD);
        List<JgradCommand> plugins = plugins();
        for (JgradCommand c : plugins) text.append(String.format(Locale.ROOT, "  %s %s\n", c.name(), c.synopsis()));
        if (plugins.stream().noneMatch(c -> c.name().equals("bench"))) {
            text.append("  bench                        benchmarks (needs " + BENCH_JAR + " on the class path: ./jgrad bench ...)\n");
        }
        return text.append(USAGE_TAIL).toString();
    }

    private static List<JgradCommand> plugins() {
        List<JgradCommand> found = new ArrayList<>();
        ServiceLoader.load(JgradCommand.class).forEach(found::add);
        return found;
    }

    private static JgradCommand plugin(String name) {
        for (JgradCommand c : plugins()) if (c.name().equals(name)) return c;
        if (name.equals("bench")) {
            throw new UsageError("the bench commands come from the bench module's jar, which is not on the class path: run './jgrad bench ...'"
                    + " (or java -cp cli/target/jgrad.jar:" + BENCH_JAR + " io.jgrad.cli.Jgrad bench ...)");
        }
        throw new UsageError("unknown command '" + name + "' (try: jgrad help)");
    }

    private static int parity(List<String> args, PrintStream out) throws Exception {
        String backend = null;
        List<String> dirs = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--help", "-h" -> {
                    out.println("""
                            usage: jgrad parity [--backend NAME] DIR

                            Runs every *.safetensors PyTorch fixture in DIR, prints one line per mismatch and ends with
                            'N passed, N failed, N skipped'. Exit status 1 when a case failed or a file could not be read.
                              --backend NAME   run the kernels of backend NAME (see 'jgrad info'); default: the best available""");
                    return 0;
                }
                case "--backend" -> backend = value(args, ++i, "--backend");
                default -> {
                    if (a.startsWith("--backend=")) backend = a.substring("--backend=".length());
                    else if (a.startsWith("-")) throw new UsageError("unknown option '" + a + "'");
                    else dirs.add(a);
                }
            }
        }
        if (dirs.size() != 1) throw new UsageError("expected one fixture directory, got " + dirs.size() + " (usage: jgrad parity [--backend NAME] DIR)");
        Path dir = Path.of(dirs.get(0));
        if (!java.nio.file.Files.isDirectory(dir)) throw new UsageError("'" + dir + "' is not a directory");
        if (backend != null) {
            try {
                Backends.use(backend);
            } catch (RuntimeException e) {
                throw new UsageError(e.getMessage());
            }
        }
        out.println("backend: " + Backends.forDevice(Backends.defaultDevice()).name());
        ParityRunner.Summary summary = new ParityRunner(out).runDirectory(dir);
        return summary.ok() ? 0 : 1;
    }

    private static int info(List<String> args, PrintStream out) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                out.println("usage: jgrad info\n\nLists every backend found, whether it runs here, and the cause when it does not, then the OpenCL devices.");
                return 0;
            }
            throw new UsageError("unknown option '" + a + "'");
        }
        out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        List<Backends.Entry> entries = Backends.startAll();
        for (Backends.Entry e : entries) {
            out.println(e.available()
                    ? String.format(Locale.ROOT, "%-10s available    device %s, rank %d", e.name(), e.backend().device(), e.rank())
                    : String.format(Locale.ROOT, "%-10s unavailable  %s", e.name(), e.unavailableCause()));
        }
        // A GPU family without any provider is a build without its module (kernels/cuda, kernels/opencl): say so.
        for (Device.Kind kind : Device.Kind.values()) {
            if (kind == Device.Kind.CPU || entries.stream().anyMatch(e -> e.kind() == kind)) continue;
            String name = kind.name().toLowerCase(Locale.ROOT);
            out.println(String.format(Locale.ROOT, "%-10s not found    no backend named %s on the class path (module kernels/%s not in this build)", name, name, name));
        }
        out.println("default: " + Backends.forDevice(Backends.defaultDevice()).name());
        out.println("opencl devices (choose with -D" + ClDevices.PROPERTY + "=INDEX|NAME):");
        for (String line : ClDevices.report()) out.println("  " + line);
        return 0;
    }

    private static String value(List<String> args, int i, String flag) {
        if (i >= args.size()) throw new UsageError(flag + " needs a value");
        return args.get(i);
    }
}
