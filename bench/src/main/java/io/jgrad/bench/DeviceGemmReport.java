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
            """;

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
        out.println(String.format(Locale.ROOT, "%6s | %10s | %10s | %10s | %8s", "n", backendName, "cublas", "vector " + all + "t", "/cublas"));
        Double last = null;
        int lastN = 0;
        for (int n : sizes) {
            double g = gflops(backend, n);
            Double cublas = torch.get("cublas." + n);
            Double vec = vector == null || n > VECTOR_MAX ? null : GemmReport.gflops(vector, n);
            last = GemmReport.ratio(g, cublas);
            lastN = n;
            out.println(String.format(Locale.ROOT, "%6d | %10.1f | %s | %s | %s", n, g, Machine.cell(cublas, 10, "%.1f"), Machine.cell(vec, 10, "%.1f"),
                    Machine.cell(last, 8, "%.2f")));
        }
        out.println();
        out.println(String.format(Locale.ROOT, "gemm n=%d %s/cublas%s: %s", lastN, backendName, tf32 ? " tf32" : "", GemmReport.ratioText(last == null ? Double.NaN : last)));
    }

    /** GFLOP/s of {@code backend}'s n x n float32 product, operands already on its device. */
    static double gflops(Backend backend, int n) {
        Generator gen = new Generator(n);
        NDArray a = NDArray.randn(gen, DType.FLOAT32, n, n).to(backend.device()), b = NDArray.randn(gen, DType.FLOAT32, n, n).to(backend.device());
        NDArray c = NDArray.zeros(DType.FLOAT32, backend.device(), n, n);
        double seconds = Timing.medianSeconds(() -> {
            backend.matmul(a, b, c);
            backend.synchronize();
        });
        return 2.0 * n * n * n / seconds / 1e9;
    }

    private static String join(int[] sizes) {
        StringBuilder sb = new StringBuilder();
        for (int n : sizes) sb.append(sb.length() == 0 ? "" : ",").append(n);
        return sb.toString();
    }
}
