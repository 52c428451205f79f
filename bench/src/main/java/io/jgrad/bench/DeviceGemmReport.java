package io.jgrad.bench;

import io.jgrad.kernels.opencl.OpenClBackend;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.MatmulPrecision;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code jgrad bench gemm --backend NAME}: the float32 product of any backend by name ({@code opencl},
 * {@code cuda}, ...) through the {@link Backend} SPI, operands resident on its device, timed from the call to
 * {@link Backend#synchronize()}; beside it PyTorch's {@code a @ b} on the GPU (cuBLAS) when the Python found has
 * PyTorch with CUDA, timed the same way, and the vector backend on all cores for the sizes it finishes quickly.
 * {@code --tf32} allows TF32 tensor cores on both sides ({@link MatmulPrecision}, {@code allow_tf32}).
 */
final class DeviceGemmReport {

    /** Entries of each product checked against float64 dot products of its operands. */
    static final int SAMPLES = 1024;
    /**
     * Sampled errors ({@link #sampledError}) beyond which a product is wrong rather than rounded, with a margin
     * of 10x or more: a float32 sum of n = 8192 products rounds to about 1e-5 of the entries' RMS at worst, TF32's
     * 10-bit mantissas to a few 1e-3; a misplaced tile or fragment is off by the order of the entries themselves.
     */
    static final double FP32_BOUND = 1e-3, TF32_BOUND = 5e-2;

    /** Sizes of the table when none are given. */
    static final int[] SIZES = {256, 512, 1024, 2048};
    /** The vector backend takes seconds per product above this: its column reads n/a there. */
    static final int VECTOR_MAX = 2048;

    static final String SCRIPT = PythonAnchor.TORCH + """
            sizes = [int(s) for s in sys.argv[1].split(',')]
            if not torch.cuda.is_available():
                print('note torch sees no CUDA device'); sys.exit(0)
            torch.backends.cuda.matmul.allow_tf32 = sys.argv[2] == '1'
            print('info.gpu', torch.cuda.get_device_name(0), flush=True)
            for n in sizes:
                a = torch.randn(n, n, device='cuda'); b = torch.randn(n, n, device='cuda')
                def product():
                    a @ b; torch.cuda.synchronize()
                print('cublas.%d' % n, 2 * n ** 3 / median_seconds(product) / 1e9, flush=True)
                # The same sampled check as jgrad's (DeviceGemmReport.sampledError), for comparison.
                g = torch.Generator().manual_seed(n)
                i = torch.randint(0, n, (SAMPLES,), generator=g).cuda(); j = torch.randint(0, n, (SAMPLES,), generator=g).cuda()
                r = (a[i].double() * b[:, j].t().double()).sum(1)
                print('cublaserr.%d' % n, ((a @ b)[i, j].double() - r).abs().max().item() / r.pow(2).mean().sqrt().item(), flush=True)
            """.replace("SAMPLES", Integer.toString(DeviceGemmReport.SAMPLES));

    private DeviceGemmReport() {
    }

    static void run(String backendName, int[] sizes, boolean tf32, PrintStream out) {
        Backend backend = Backends.get(backendName);
        MatmulPrecision.allowTf32(tf32);
        int all = Machine.cores();
        out.println("jgrad bench gemm --backend " + backendName + (tf32 ? " --tf32" : "")
                + ": float32 C = A·B, n x n, GFLOP/s = 2n^3 / median time (call to synchronize; operands on the device)");
        Machine.describe(out);
        out.println(PythonAnchor.allocatorLine());
        out.println("device: " + backend.deviceName() + " (" + backend.device() + "), TF32 " + (tf32 ? "allowed" : "off"));
        if (backend instanceof OpenClBackend cl) out.println("OpenCL GEMM: " + OpenClReport.gemmParameters(cl));
        PythonAnchor.Result torch = PythonAnchor.run(SCRIPT, all, List.of(join(sizes), tf32 ? "1" : "0"));
        out.println("torch " + torch.info().getOrDefault("torch", "n/a") + " on " + torch.info().getOrDefault("gpu", "n/a") + " (" + PythonAnchor.python() + ")"
                + (torch.note() != null ? "; note: " + torch.note() : ""));
        Backend vector = Machine.vectorActive() ? Machine.jgrad(all) : null;
        out.println();
        double bound = tf32 ? TF32_BOUND : FP32_BOUND;
        out.println("error: max |c - r| over " + SAMPLES + " sampled entries, r their float64 dot product, divided by the samples' RMS of r"
                + " (cuBLAS's on its own operands; a product is wrong above " + bound + ")");
        out.println(String.format(Locale.ROOT, "%6s | %10s | %10s | %10s | %8s | %9s | %9s", "n", backendName, "cublas", "vector " + all + "t", "/cublas",
                "error", "cublas er"));
        Double last = null, lastError = null, lastCublasError = null;
        int lastN = 0;
        StringBuilder wrong = new StringBuilder();
        for (int n : sizes) {
            Run run = measure(backend, n);
            Double cublas = torch.get("cublas." + n);
            Double vec = vector == null || n > VECTOR_MAX ? null : GemmReport.gflops(vector, n);
            last = GemmReport.ratio(run.gflops(), cublas);
            lastN = n;
            lastError = run.error();
            lastCublasError = torch.get("cublaserr." + n);
            out.println(String.format(Locale.ROOT, "%6d | %10.1f | %s | %s | %s | %9.1e | %s", n, run.gflops(), Machine.cell(cublas, 10, "%.1f"),
                    Machine.cell(vec, 10, "%.1f"), Machine.cell(last, 8, "%.2f"), run.error(), Machine.cell(lastCublasError, 9, "%.1e")));
            if (!(run.error() <= bound)) wrong.append(wrong.length() == 0 ? "" : ", ").append("n=").append(n).append(": ").append(run.error());
        }
        out.println();
        out.println(String.format(Locale.ROOT, "gemm n=%d %s/cublas%s: %s (error %s, cublas %s)", lastN, backendName, tf32 ? " tf32" : "",
                GemmReport.ratioText(last == null ? Double.NaN : last), Machine.cell(lastError, 1, "%.1e"), Machine.cell(lastCublasError, 1, "%.1e")));
        if (wrong.length() > 0) {
            throw new IllegalStateException("bench gemm --backend " + backendName + ": wrong products (sampled error above " + bound + "): " + wrong);
        }
    }

    /** One size's speed and the error of its last product. */
    record Run(double gflops, double error) {
    }

    /** GFLOP/s of {@code backend}'s n x n float32 product, operands already on its device, and the product's sampled error. */
    static Run measure(Backend backend, int n) {
        Generator gen = new Generator(n);
        NDArray aHost = NDArray.randn(gen, DType.FLOAT32, n, n), bHost = NDArray.randn(gen, DType.FLOAT32, n, n);
        NDArray a = aHost.to(backend.device()), b = bHost.to(backend.device());
        NDArray c = NDArray.zeros(DType.FLOAT32, backend.device(), n, n);
        double seconds = Timing.medianSeconds(() -> {
            backend.matmul(a, b, c);
            backend.synchronize();
        });
        return new Run(2.0 * n * n * n / seconds / 1e9, sampledError(aHost.toFloatArray(), bHost.toFloatArray(), c.toFloatArray(), n, new Generator(n + 1)));
    }

    /**
     * max |c − r| over {@link #SAMPLES} random entries of the n x n row-major product c = a·b, r each entry's float64
     * dot product, divided by the root mean square of the samples' r: a rounding error near the inputs' precision,
     * or a wrong product (a misplaced tile or fragment, an unwritten block) far above it.
     */
    static double sampledError(float[] a, float[] b, float[] c, int n, Generator gen) {
        double maxError = 0, sumSquares = 0;
        for (int s = 0; s < SAMPLES; s++) {
            int i = gen.nextInt(n), j = gen.nextInt(n);
            double r = 0;
            for (int k = 0; k < n; k++) r += (double) a[i * n + k] * b[k * n + j];
            maxError = Math.max(maxError, Math.abs(c[i * n + j] - r));   // NaN stays NaN
            sumSquares += r * r;
        }
        return maxError / Math.sqrt(sumSquares / SAMPLES);
    }

    private static String join(int[] sizes) {
        StringBuilder sb = new StringBuilder();
        for (int n : sizes) sb.append(sb.length() == 0 ? "" : ",").append(n);
        return sb.toString();
    }
}
