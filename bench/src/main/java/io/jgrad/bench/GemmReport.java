package io.jgrad.bench;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.Backends;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code jgrad bench gemm}: float32 {@code C = A·B} for square n x n matrices, in GFLOP/s ({@code 2n³} over the
 * median time of a call that allocates its result, as numpy's {@code a @ b} does), for jgrad on one thread and
 * on all cores, the reference backend (small n only), OpenBLAS through numpy and PyTorch, measured one after
 * the other in this run.
 */
final class GemmReport {

    static final int[] SIZES = {64, 128, 256, 512, 1024, 2048};
    /** The reference backend is a scalar triple loop: only the small sizes finish in reasonable time. */
    static final int REFERENCE_MAX = 256;

    static final String SCRIPT = """
            sizes = [int(s) for s in sys.argv[1].split(',')]
            threads = int(os.environ['JGRAD_THREADS'])
            try:
                import numpy as np
                print('info.numpy', np.__version__)
            """ + PythonAnchor.BLAS.indent(4) + """
                try:
                    import threadpoolctl
                    print('info.openblas', ' '.join(str(i.get('architecture')) for i in threadpoolctl.threadpool_info() if i.get('internal_api') == 'openblas'))
                except Exception as e:
                    print('note no threadpoolctl (' + str(e) + ')')
            except Exception as e:
                print('note numpy missing (' + str(e) + '); install python3-numpy libopenblas0-pthread'); np = None
            try:
                import torch
                torch.set_num_threads(threads)
                print('info.torch', torch.__version__)
            """ + PythonAnchor.CAPABILITY.indent(4) + """
            except Exception as e:
                print('note torch missing (' + str(e) + '); install python3-torch'); torch = None
            for n in sizes:
                if np is not None:
                    a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
                    print('numpy.%d' % n, 2 * n ** 3 / median_seconds(lambda: a @ b) / 1e9, flush=True)
                    if torch is not None:
                        ta = torch.from_numpy(a); tb = torch.from_numpy(b)
                        print('torch.%d' % n, 2 * n ** 3 / median_seconds(lambda: ta @ tb) / 1e9, flush=True)
            """;

    private GemmReport() {
    }

    static double gflops(Backend backend, int n) {
        Generator gen = new Generator(n);
        NDArray a = NDArray.randn(gen, DType.FLOAT32, n, n), b = NDArray.randn(gen, DType.FLOAT32, n, n);
        // B counts as written before each call, as a new operand would be: the vector backend's cache of packed
        // weights (PackedWeights) must not spare the product its packing, which OpenBLAS does on every call.
        Runnable product = () -> {
            b.storage().bumpVersion();
            backend.matmul(a, b, NDArray.zeros(DType.FLOAT32, n, n));
        };
        // Two seconds at this very size first: C2 compiles the large-product paths (the 8x2 block, the direct
        // write-back) only once they run, and Timing's own half second was not enough for the first size measured
        // (n = 1024 on 1 thread read 75-92 GFLOP/s first and 176-180 when measured again in the same run).
        long warm = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warm) product.run();
        double seconds = Timing.medianSeconds(product);
        return 2.0 * n * n * n / seconds / 1e9;
    }

    static void run(int[] sizes, PrintStream out) {
        int all = Machine.cores();
        out.println("jgrad bench gemm: float32 C = A·B, n x n, GFLOP/s = 2n^3 / median time (result allocated per call)");
        Machine.describe(out);
        out.println(PythonAnchor.allocatorLine());
        // Each size is measured for numpy/torch and then for jgrad before the next size starts, so that
        // changes in the machine's load hit both sides alike.
        PythonAnchor.Result probe = PythonAnchor.run(SCRIPT, 1, List.of("8"));
        out.println("numpy " + probe.info().getOrDefault("numpy", "n/a") + " (OpenBLAS kernel " + probe.info().getOrDefault("openblas", "n/a") + ", OPENBLAS_CORETYPE/L2_SIZE unset; /usr/bin/python3), torch " + probe.info().getOrDefault("torch", "n/a")
                + " (CPU capability " + probe.info().getOrDefault("capability", "n/a") + ")"
                + "; threads: 1 and " + all + " (OPENBLAS_NUM_THREADS, torch.set_num_threads, -Djgrad.threads)");
        if (probe.note() != null) out.println("note: " + probe.note());
        if (PythonAnchor.blasWarning(probe) != null) out.println(PythonAnchor.blasWarning(probe));
        Backend one = Machine.jgrad(1), many = Machine.jgrad(all), reference = Backends.get("reference");
        boolean vector = Machine.vectorActive();
        if (vector) warmUp(one, many);
        out.println();
        out.println(String.format(Locale.ROOT, "%6s | %9s %9s | %9s | %9s %9s | %9s %9s | %9s %9s",
                "n", "jgrad 1t", "jgrad " + all + "t", "ref 1t", "oblas 1t", "oblas " + all + "t", "torch 1t", "torch " + all + "t", "/oblas 1t", "/oblas " + all + "t"));
        double lastOne = Double.NaN, lastAll = Double.NaN;
        int lastN = 0;
        for (int n : sizes) {
            PythonAnchor.Result py1 = PythonAnchor.run(SCRIPT, 1, List.of(Integer.toString(n)));
            PythonAnchor.Result pyAll = PythonAnchor.run(SCRIPT, all, List.of(Integer.toString(n)));
            Double j1 = vector || n <= REFERENCE_MAX ? gflops(one, n) : null;
            Double jAll = vector || n <= REFERENCE_MAX ? gflops(many, n) : null;
            Double ref = n <= REFERENCE_MAX ? gflops(reference, n) : null;
            Double o1 = py1.get("numpy." + n), oAll = pyAll.get("numpy." + n);
            Double r1 = ratio(j1, o1), rAll = ratio(jAll, oAll);
            out.println(String.format(Locale.ROOT, "%6d | %s %s | %s | %s %s | %s %s | %s %s", n,
                    Machine.cell(j1, 9, "%.1f"), Machine.cell(jAll, 9, "%.1f"), Machine.cell(ref, 9, "%.2f"),
                    Machine.cell(o1, 9, "%.1f"), Machine.cell(oAll, 9, "%.1f"),
                    Machine.cell(py1.get("torch." + n), 9, "%.1f"), Machine.cell(pyAll.get("torch." + n), 9, "%.1f"),
                    Machine.cell(r1, 9, "%.2f"), Machine.cell(rAll, 9, "%.2f")));
            lastN = n;
            lastOne = r1 == null ? Double.NaN : r1;
            lastAll = rAll == null ? Double.NaN : rAll;
        }
        out.println();
        out.println(String.format(Locale.ROOT, "gemm n=%d jgrad/openblas: 1 thread %s, all cores %s", lastN, ratioText(lastOne), ratioText(lastAll)));
    }

    /**
     * Compiles the kernels before the first row: a few seconds of products of several shapes, so that the
     * smallest size is not timed while the JIT is still at work (its own warm-up is too short for that).
     */
    static void warmUp(Backend... backends) {
        long end = System.nanoTime() + 4_000_000_000L;
        Generator gen = new Generator(0);
        NDArray a = NDArray.randn(gen, DType.FLOAT32, 200, 300), b = NDArray.randn(gen, DType.FLOAT32, 300, 100);
        NDArray square = NDArray.randn(gen, DType.FLOAT32, 256, 256);
        NDArray out = NDArray.zeros(DType.FLOAT32, 200, 100), outT = NDArray.zeros(DType.FLOAT32, 100, 200), outSquare = NDArray.zeros(DType.FLOAT32, 256, 256);
        while (System.nanoTime() < end) {
            for (Backend backend : backends) {
                backend.matmul(a, b, out);
                backend.matmul(b.t(), a.t(), outT);
                backend.matmul(square, square, outSquare);
            }
        }
    }

    static Double ratio(Double a, Double b) {
        return a == null || b == null ? null : a / b;
    }

    static String ratioText(double r) {
        return Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.2f", r);
    }
}
