package io.jgrad.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code jgrad bench}: the report commands ({@code gemm}, {@code conv}) and the JMH benchmarks ({@code jmh},
 * with JMH's own options). The launcher runs this class from {@code bench/target/jgrad-bench.jar}.
 */
public final class BenchCommand {

    static final String USAGE = """
            usage: jgrad bench gemm [--sizes N,N,...]   SGEMM GFLOP/s: jgrad (1 thread, all cores), reference, OpenBLAS, PyTorch
                   jgrad bench conv                     MNIST ConvNet conv2d forward+backward: jgrad vs PyTorch
                   jgrad bench epoch                    MNIST ConvNet training step and epoch time: jgrad vs PyTorch
                   jgrad bench jmh [JMH options]        the JMH benchmarks (e.g. 'jmh Gemm -p n=1024 -prof gc'; 'jmh -h')

            Prints a table measured in one run; the last line gives the headline ratio. Python anchors use
            /usr/bin/python3 (apt-get install -y python3-numpy python3-torch libopenblas0-pthread); without them
            their columns read n/a. Threads: OPENBLAS_NUM_THREADS / torch.set_num_threads / a jgrad pool per count.""";

    private BenchCommand() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "gemm" -> {
                int[] sizes = GemmReport.SIZES;
                for (int i = 0; i < rest.length; i++) {
                    if (rest[i].equals("--sizes") && i + 1 < rest.length) sizes = parseSizes(rest[++i], err);
                    else if (rest[i].startsWith("--sizes=")) sizes = parseSizes(rest[i].substring("--sizes=".length()), err);
                    else return usageError(err, "unknown option '" + rest[i] + "'");
                    if (sizes == null) return 2;
                }
                GemmReport.run(sizes, out);
                return 0;
            }
            case "conv" -> {
                if (rest.length > 0) return usageError(err, "unknown option '" + rest[0] + "'");
                ConvReport.run(out);
                return 0;
            }
            case "epoch" -> {
                if (rest.length > 0) return usageError(err, "unknown option '" + rest[0] + "'");
                EpochReport.run(out);
                return 0;
            }
            case "jmh" -> {
                org.openjdk.jmh.Main.main(rest);
                return 0;
            }
            default -> {
                return usageError(err, "unknown bench '" + args[0] + "' (gemm, conv, epoch, jmh)");
            }
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
