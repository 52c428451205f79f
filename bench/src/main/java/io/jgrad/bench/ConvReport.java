package io.jgrad.bench;

import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.ConvParams;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code jgrad bench conv}: the two convolutions of the MNIST ConvNet at batch 128 (conv1: 1->32 channels on
 * 28x28; conv2: 32->64 on 14x14; 3x3, padding 1), each run forward (with bias), then for the input gradient
 * and the weight gradient; every call allocates its result. The same through PyTorch CPU
 * ({@code F.conv2d} and {@code torch.autograd.grad} for input and weight). Reported as milliseconds per
 * forward+backward of both layers and as GFLOP/s.
 */
final class ConvReport {

    static final int BATCH = 128;
    /** The reference kernels are direct scalar loops: timed on a smaller batch and scaled. */
    static final int REFERENCE_BATCH = 4;
    static final ConvParams SAME = ConvParams.of(1, 1, 1, 1);

    /** One layer: input channels, output channels, image side. */
    record Layer(String name, int in, int out, int side) {
        /** Multiply-adds of one of the three passes. */
        double macs(int batch) {
            return (double) batch * out * side * side * in * 9;
        }
    }

    static final List<Layer> LAYERS = List.of(new Layer("conv1", 1, 32, 28), new Layer("conv2", 32, 64, 14));

    static final String SCRIPT = PythonAnchor.TORCH + """
            for name, cin, cout, side in [l for l in (('conv1', 1, 32, 28), ('conv2', 32, 64, 14)) if l[0] in sys.argv[1:]]:
                x = torch.randn(128, cin, side, side, requires_grad=True)
                w = torch.randn(cout, cin, 3, 3, requires_grad=True)
                b = torch.randn(cout)
                def step():
                    y = F.conv2d(x, w, b, padding=1)
                    torch.autograd.grad(y, (x, w), y.detach())
                print('torch.' + name, median_seconds(step), flush=True)
            """;

    private ConvReport() {
    }

    /** Median seconds of forward + input gradient + weight gradient of {@code layer} at {@code batch}. */
    static double seconds(Backend backend, Layer layer, int batch) {
        return seconds(backend, layer, batch, 0);
    }

    /** With {@code runs > 0}: just run that many times (warm-up) and return NaN. */
    private static double seconds(Backend backend, Layer layer, int batch, int runs) {
        Generator gen = new Generator(layer.in() * 100 + layer.out());
        NDArray x = NDArray.randn(gen, DType.FLOAT32, batch, layer.in(), layer.side(), layer.side());
        NDArray w = NDArray.randn(gen, DType.FLOAT32, layer.out(), layer.in(), 3, 3), b = NDArray.randn(gen, DType.FLOAT32, layer.out());
        int[] outShape = {batch, layer.out(), layer.side(), layer.side()};
        ConvGeometry geometry = ConvGeometry.of(x.shape(), w.shape(), SAME);
        Runnable step = () -> {
            NDArray y = NDArray.zeros(DType.FLOAT32, outShape);
            backend.conv2d(x, w, b, geometry, y);
            NDArray gx = NDArray.zeros(DType.FLOAT32, x.shape()), gw = NDArray.zeros(DType.FLOAT32, w.shape());
            backend.conv2dBackwardInput(y, w, geometry, gx);
            backend.conv2dBackwardWeight(x, y, geometry, gw);
        };
        if (runs > 0) {
            for (int i = 0; i < runs; i++) step.run();
            return Double.NaN;
        }
        return Timing.medianSeconds(step);
    }

    static void run(PrintStream out) {
        int all = Machine.cores();
        out.println("jgrad bench conv: MNIST ConvNet convolutions, batch " + BATCH + ", 3x3, padding 1: forward (with bias) + input gradient + weight gradient");
        Machine.describe(out);
        out.println(PythonAnchor.allocatorLine());
        // Each layer is measured for torch and then for jgrad before the next starts, so that changes in the
        // machine's load hit both sides alike.
        PythonAnchor.Result probe = PythonAnchor.run(SCRIPT, 1, List.of());
        out.println("torch " + probe.info().getOrDefault("torch", "n/a") + " (/usr/bin/python3, F.conv2d + autograd.grad); threads: 1 and " + all);
        if (probe.note() != null) out.println("note: " + probe.note());
        boolean vector = Machine.vectorActive();
        Backend one = Machine.jgrad(1), many = Machine.jgrad(all), reference = Backends.get("reference");
        if (vector) warmUp(one, many);
        out.println();
        out.println(String.format(Locale.ROOT, "%-22s | %9s %9s | %9s | %9s %9s | %9s %9s",
                "ms per fwd+bwd", "jgrad 1t", "jgrad " + all + "t", "ref 1t *", "torch 1t", "torch " + all + "t", "/torch 1t", "/torch " + all + "t"));
        double[] total = new double[5];
        double macs = 0;
        for (Layer layer : LAYERS) {
            PythonAnchor.Result py1 = PythonAnchor.run(SCRIPT, 1, List.of(layer.name()));
            PythonAnchor.Result pyAll = PythonAnchor.run(SCRIPT, all, List.of(layer.name()));
            double scale = (double) BATCH / REFERENCE_BATCH;
            Double j1 = vector ? 1e3 * seconds(one, layer, BATCH) : null, jAll = vector ? 1e3 * seconds(many, layer, BATCH) : null;
            Double ref = 1e3 * seconds(reference, layer, REFERENCE_BATCH) * scale;
            Double t1 = ms(py1.get("torch." + layer.name())), tAll = ms(pyAll.get("torch." + layer.name()));
            Double[] row = {j1, jAll, ref, t1, tAll};
            for (int i = 0; i < row.length; i++) total[i] += row[i] == null ? Double.NaN : row[i];
            macs += 3 * layer.macs(BATCH);
            printRow(out, layer.name() + " " + layer.in() + "->" + layer.out() + " " + layer.side() + "x" + layer.side(), row);
        }
        Double[] totals = new Double[5];
        for (int i = 0; i < 5; i++) totals[i] = Double.isNaN(total[i]) ? null : total[i];
        printRow(out, "both layers", totals);
        Double[] rates = new Double[5];
        for (int i = 0; i < 5; i++) rates[i] = totals[i] == null ? null : 2 * macs / (totals[i] / 1e3) / 1e9;
        out.println(String.format(Locale.ROOT, "%-22s | %s %s | %s | %s %s |", "GFLOP/s", Machine.cell(rates[0], 9, "%.1f"), Machine.cell(rates[1], 9, "%.1f"),
                Machine.cell(rates[2], 9, "%.2f"), Machine.cell(rates[3], 9, "%.1f"), Machine.cell(rates[4], 9, "%.1f")));
        out.println("* reference timed at batch " + REFERENCE_BATCH + " and scaled to " + BATCH);
        out.println();
        Double speedup = totals[1] == null || totals[4] == null ? null : totals[4] / totals[1];
        out.println("conv mnist-cnn fwd+bwd jgrad/pytorch: " + GemmReport.ratioText(speedup == null ? Double.NaN : speedup));
    }

    /** Compiles the kernels before the first row: a few seconds of both layers at a small batch. */
    static void warmUp(Backend... backends) {
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) {
            for (Backend backend : backends) {
                for (Layer layer : LAYERS) seconds(backend, layer, 8, 1);
            }
        }
    }

    private static void printRow(PrintStream out, String label, Double[] ms) {
        // jgrad/torch as a throughput ratio: torch time over jgrad time.
        Double r1 = ms[0] == null || ms[3] == null ? null : ms[3] / ms[0], rAll = ms[1] == null || ms[4] == null ? null : ms[4] / ms[1];
        out.println(String.format(Locale.ROOT, "%-22s | %s %s | %s | %s %s | %s %s", label,
                Machine.cell(ms[0], 9, "%.2f"), Machine.cell(ms[1], 9, "%.2f"), Machine.cell(ms[2], 9, "%.1f"),
                Machine.cell(ms[3], 9, "%.2f"), Machine.cell(ms[4], 9, "%.2f"), Machine.cell(r1, 9, "%.2f"), Machine.cell(rAll, 9, "%.2f")));
    }

    private static Double ms(Double seconds) {
        return seconds == null ? null : seconds * 1e3;
    }
}
