package io.jgrad.bench;

import io.jgrad.cli.JgradCommand;
import io.jgrad.tensor.Backends;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code jgrad bench}: the report commands ({@code gemm}, {@code conv}) and the JMH benchmarks ({@code jmh},
 * with JMH's own options). A {@link JgradCommand} found by the cli's {@code Jgrad} with ServiceLoader: the launcher
 * puts {@code bench/target/jgrad-bench.jar} (this module and JMH) beside {@code cli/target/jgrad.jar}.
 */
public final class BenchCommand implements JgradCommand {

    static final String USAGE = """
            usage: jgrad bench gemm [--sizes N,N,...]   SGEMM GFLOP/s: jgrad (1 thread, all cores), reference, OpenBLAS, PyTorch
                   jgrad bench gemm --backend NAME [--sizes N,...] [--tf32]
                                                        a GPU backend's SGEMM (opencl, cuda) beside cuBLAS and the vector backend
                   jgrad bench tune-opencl [--size N]   tunes the OpenCL SGEMM for the device, caches and prints the choice
                   jgrad bench conv                     MNIST ConvNet conv2d forward+backward: jgrad vs PyTorch
                   jgrad bench epoch [--backend NAME] [--batch N,...]
                                                        MNIST ConvNet training step and epoch time: jgrad vs PyTorch (CPU, or CUDA for a GPU backend)
                   jgrad bench mnist [--backend NAME] [--batch N] [--target PCT] [--max-epochs N] [--data-dir DIR] [--record]
                                                        seconds of training to 99% test accuracy on full MNIST: jgrad vs PyTorch
                                                        (--record: full batches replay one recorded forward+backward, CUDA)
                   jgrad bench memory --backend NAME [--steps N] [--model mlp|cnn] [--batch N]
                                                        N training steps watching the device allocator's high-water mark
                   jgrad bench models [--models mlp,cnn,lstm,gru,transformer] [--rounds N]
                                                        training step and batch-1/32 inference of each model: jgrad vs PyTorch
                   jgrad bench gc [--models mlp,...] [--steps N] [--warmup N]
                                                        GC counts by kind over N (200) training steps per model, each in a fresh
                                                        JVM at the default heap; status 1 on any old-generation collection
                   jgrad bench jmh [JMH options]        the JMH benchmarks (e.g. 'jmh Gemm -p n=1024 -prof gc'; 'jmh -h')

            Prints a table measured in one run; the last line gives the headline ratio. Python anchors use
            /usr/bin/python3 (apt-get install -y python3-numpy python3-torch libopenblas0-pthread); without them
            their columns read n/a. Threads: OPENBLAS_NUM_THREADS / torch.set_num_threads / a jgrad pool per count.""";

    /** For ServiceLoader. */
    public BenchCommand() {
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String synopsis() {
        return "gemm|conv|epoch|mnist|models|gc|jmh   benchmarks against OpenBLAS and PyTorch (see 'jgrad bench --help')";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return dispatch(args.toArray(String[]::new), out, err);
    }

    private static int dispatch(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "gemm" -> {
                int[] sizes = null;
                String backend = null;
                boolean tf32 = false;
                for (int i = 0; i < rest.length; i++) {
                    if (rest[i].equals("--tf32")) tf32 = true;
                    else if (rest[i].equals("--sizes") && i + 1 < rest.length) sizes = parseSizes(rest[++i], err);
                    else if (rest[i].startsWith("--sizes=")) sizes = parseSizes(rest[i].substring("--sizes=".length()), err);
                    else if (rest[i].equals("--backend") && i + 1 < rest.length) backend = rest[++i];
                    else if (rest[i].startsWith("--backend=")) backend = rest[i].substring("--backend=".length());
                    else return usageError(err, "unknown option '" + rest[i] + "'");
                    if (sizes == null && rest[i].startsWith("--sizes")) return 2;
                }
                if (backend == null) {
                    if (tf32) return usageError(err, "--tf32 applies to a GPU backend: add --backend NAME");
                    GemmReport.run(sizes != null ? sizes : GemmReport.SIZES, out);
                    return 0;
                }
                if (!backendAvailable(backend, err)) return 2;
                DeviceGemmReport.run(backend, sizes != null ? sizes : DeviceGemmReport.SIZES, tf32, out);
                return 0;
            }
            case "tune-opencl" -> {
                int size = 0;
                if (rest.length == 2 && rest[0].equals("--size")) {
                    int[] parsed = parseSizes(rest[1], err);
                    if (parsed == null || parsed.length != 1) return 2;
                    size = parsed[0];
                } else if (rest.length > 0) {
                    return usageError(err, "tune-opencl takes only --size N");
                }
                OpenClReport.tune(size, out);
                return 0;
            }
            case "conv" -> {
                if (rest.length > 0) return usageError(err, "unknown option '" + rest[0] + "'");
                ConvReport.run(out);
                return 0;
            }
            case "epoch" -> {
                String backend = null;
                int[] batches = {EpochReport.BATCH};
                for (int i = 0; i < rest.length; i++) {
                    if (rest[i].equals("--backend") && i + 1 < rest.length) backend = rest[++i];
                    else if (rest[i].equals("--batch") && i + 1 < rest.length) batches = parseSizes(rest[++i], err);
                    else return usageError(err, "unknown option '" + rest[i] + "' (epoch takes --backend NAME, --batch N,...)");
                    if (batches == null) return 2;
                }
                if (backend != null && !backendAvailable(backend, err)) return 2;
                EpochReport.run(backend, batches, out);
                return 0;
            }
            case "memory" -> {
                String backend = null, model = "mlp";
                int batch = 128, steps = MemoryReport.STEPS;
                for (int i = 0; i < rest.length; i++) {
                    int[] n = null;
                    if (rest[i].equals("--backend") && i + 1 < rest.length) backend = rest[++i];
                    else if (rest[i].equals("--model") && i + 1 < rest.length) model = rest[++i];
                    else if ((rest[i].equals("--steps") || rest[i].equals("--batch")) && i + 1 < rest.length) {
                        n = parseSizes(rest[i + 1], err);
                        if (n == null || n.length != 1) return 2;
                        if (rest[i].equals("--steps")) steps = n[0];
                        else batch = n[0];
                        i++;
                    } else {
                        return usageError(err, "unknown option '" + rest[i] + "' (memory takes --backend NAME, --model mlp|cnn, --steps N, --batch N)");
                    }
                }
                if (backend == null) return usageError(err, "memory needs --backend NAME (a backend with an allocator of its own, e.g. opencl, cuda)");
                if (!backendAvailable(backend, err)) return 2;
                return MemoryReport.run(backend, model, batch, steps, out);
            }
            case "mnist" -> {
                MnistTimeReport.Options options;
                try {
                    options = MnistTimeReport.Options.parse(rest);
                } catch (IllegalArgumentException e) {
                    return usageError(err, e.getMessage());
                }
                if (options.backend() != null && !backendAvailable(options.backend(), err)) return 2;
                try {
                    MnistTimeReport.run(options, out);
                } catch (IOException e) {
                    err.println("jgrad bench mnist: " + e.getMessage());
                    return 1;
                }
                return 0;
            }
            case "models" -> {
                ModelsReport.Options options;
                try {
                    options = ModelsReport.Options.parse(rest);
                } catch (IllegalArgumentException e) {
                    return usageError(err, e.getMessage());
                }
                ModelsReport.run(options, out);
                return 0;
            }
            case "gc" -> {
                GcReport.Options options;
                try {
                    options = GcReport.Options.parse(rest);
                } catch (IllegalArgumentException e) {
                    return usageError(err, e.getMessage());
                }
                return GcReport.run(options, out);
            }
            case "jmh" -> {
                org.openjdk.jmh.Main.main(rest);
                return 0;
            }
            default -> {
                return usageError(err, "unknown bench '" + args[0] + "' (gemm, tune-opencl, conv, epoch, mnist, memory, models, gc, jmh)");
            }
        }
    }

    /** Starts backend {@code name}; when it is unknown or cannot run here, prints why (a usage error) and returns false. */
    private static boolean backendAvailable(String name, PrintStream err) {
        try {
            Backends.get(name);
            return true;
        } catch (RuntimeException e) {
            usageError(err, "--backend " + name + ": " + e.getMessage());
            return false;
        }
    }

    private static int usageError(PrintStream err, String message) {
        err.println("jgrad bench: " + message);
        return 2;
    }

    private static int[] parseSizes(String list, PrintStream err) {
        try {
            int[] sizes = Arrays.stream(list.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
            for (int n : sizes) if (n < 1) throw new NumberFormatException();
            return sizes;
        } catch (NumberFormatException e) {
            err.println(String.format(Locale.ROOT, "jgrad bench: --sizes expects positive integers like 256,1024, got '%s'", list));
            return null;
        }
    }
}
