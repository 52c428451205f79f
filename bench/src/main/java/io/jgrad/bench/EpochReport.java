package io.jgrad.bench;

import io.jgrad.tensor.Backends;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.spi.Backend;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code jgrad bench epoch [--backend NAME] [--batch N,...]}: one training step of the reference MNIST ConvNet
 * (forward, cross-entropy, backward, Adam step) in jgrad and in PyTorch eager, measured in the same run, and the
 * 60,000-image epoch time that follows from it. On the CPU (the default) both use all cores; with a GPU backend
 * jgrad runs on its device and PyTorch on CUDA, each step timed to the device's end. The data loading of a real
 * epoch is left out on both sides (it is a few percent of an epoch in either).
 */
final class EpochReport {

    static final int BATCH = 128;
    static final int EPOCH_IMAGES = 60_000;
    static final int WARMUP_STEPS = 15;
    /** Steps whose host time (enqueueing only) is measured on a GPU backend. */
    static final int HOST_TIME_STEPS = 31;

    /** The reference MNIST ConvNet in PyTorch, as {@link MnistCnn} (also used by {@link ModelsReport}). */
    static final String CONVNET = """
            class ConvNet(nn.Module):
                def __init__(s):
                    super().__init__(); s.conv1 = nn.Conv2d(1, 32, 3, padding=1); s.conv2 = nn.Conv2d(32, 64, 3, padding=1)
                    s.fc1 = nn.Linear(64 * 7 * 7, 128); s.fc2 = nn.Linear(128, 10)
                def forward(s, x):
                    x = F.max_pool2d(F.relu(s.conv1(x)), 2); x = F.max_pool2d(F.relu(s.conv2(x)), 2)
                    return s.fc2(F.relu(s.fc1(x.flatten(1))))
            """;

    static final String SCRIPT = PythonAnchor.TORCH + """
            device = sys.argv[1]
            if device == 'cuda' and not torch.cuda.is_available():
                print('note torch sees no CUDA device'); sys.exit(0)
            if device == 'cuda':
                torch.backends.cuda.matmul.allow_tf32 = False; torch.backends.cudnn.allow_tf32 = False
                print('info.gpu', torch.cuda.get_device_name(0))
            """ + CONVNET + """
            for bs in [int(b) for b in sys.argv[2].split(',')]:
                m = ConvNet().to(device); opt = torch.optim.Adam(m.parameters(), 1e-3)
                X = torch.rand(bs * 8, 1, 28, 28, device=device); Y = torch.randint(0, 10, (bs * 8,), device=device)
                i = [0]
                def step():
                    j = (i[0] % 8) * bs; i[0] += 1
                    opt.zero_grad(); F.cross_entropy(m(X[j:j + bs]), Y[j:j + bs]).backward(); opt.step()
                    if device == 'cuda': torch.cuda.synchronize()
                print('torch.step.%d' % bs, median_seconds(step), flush=True)
            """;

    private EpochReport() {
    }

    /** {@code backendName} null: the CPU, with the best CPU backend. */
    static void run(String backendName, int[] batches, PrintStream out) {
        int all = Machine.cores();
        if (backendName != null) Backends.use(backendName);   // model, data and optimiser state on its device
        Backend backend = backendName != null ? Backends.get(backendName) : Backends.forDevice(Device.CPU);
        boolean gpu = !backend.device().isCpu();
        out.println("jgrad bench epoch: reference MNIST ConvNet training step (forward, cross-entropy, backward, Adam), batch "
                + join(batches) + (gpu ? ", on " + backend.deviceName() + " against PyTorch on CUDA (TF32 off)" : ", " + all + " threads"));
        Machine.describe(out);
        out.println(PythonAnchor.allocatorLine());
        PythonAnchor.Result torch = PythonAnchor.run(SCRIPT, all, List.of(gpu ? "cuda" : "cpu", join(batches)));
        out.println("torch " + torch.info().getOrDefault("torch", "n/a") + (gpu ? " on " + torch.info().getOrDefault("gpu", "n/a") : "")
                + " (" + PythonAnchor.python() + ")" + (torch.note() != null ? "; note: " + torch.note() : ""));
        out.println("jgrad backend: " + backend.name() + " (" + backend.device() + ")");
        out.println();
        out.println(String.format(Locale.ROOT, "%-8s | %6s | %12s | %16s | %10s", "", "batch", "ms per step", "s per 60k epoch", "img/s"));
        String headline = "n/a";
        List<String> launches = new ArrayList<>(), hostTimes = new ArrayList<>();
        boolean recorded = false;
        for (int batch : batches) {
            TrainingStep step = new TrainingStep(backend, "cnn", batch);
            // A whole training step is a lot of code for the JIT: give it more than Timing's short warm-up.
            for (int i = 0; i < WARMUP_STEPS; i++) step.run();
            long before = backend.kernelLaunches();
            step.run();
            if (before >= 0) launches.add(batch + ": " + (backend.kernelLaunches() - before));
            double jgrad = Timing.medianSeconds(step);
            if (gpu) {
                double[] host = new double[HOST_TIME_STEPS];
                for (int i = 0; i < host.length; i++) host[i] = step.enqueueSeconds();
                hostTimes.add(String.format(Locale.ROOT, "%d: %.3f of %.3f ms", batch, 1e3 * Timing.median(host), 1e3 * jgrad));
            }
            Double py = torch.get("torch.step." + batch);
            row(out, "jgrad", batch, jgrad);
            if (gpu) recorded |= recordedRow(out, step, batch);
            row(out, "pytorch", batch, py);
            headline = py == null ? "n/a" : String.format(Locale.ROOT, "%.2f", py / jgrad);
        }
        // What bounds a small model on a GPU: every launch costs microseconds of host time whatever its size.
        if (!launches.isEmpty()) out.println("jgrad kernel launches per step, by batch: " + String.join(", ", launches));
        if (recorded) out.println("recorded: the step's forward and backward recorded once (Backend.beginRecording, a CUDA graph) and replayed, Adam run after each replay");
        // Near the step's time, the step is bound by the host's launches, not the device.
        if (!hostTimes.isEmpty()) out.println("jgrad host time to enqueue a step (median, before the wait), by batch: " + String.join(", ", hostTimes));
        out.println(String.format(Locale.ROOT, "epoch mnist-cnn batch %d jgrad/pytorch%s: %s", batches[batches.length - 1], gpu ? " (" + backend.name() + "/cuda)" : "", headline));
    }

    /**
     * The same step with its forward and backward pass recorded once and replayed (a CUDA graph; Adam eager after
     * each replay): what the step costs without one host launch per kernel. Nothing where the backend cannot record;
     * a failed recording is reported and the report goes on.
     */
    private static boolean recordedRow(PrintStream out, TrainingStep step, int batch) {
        try {
            if (!step.record()) return false;
            try {
                row(out, "recorded", batch, Timing.medianSeconds(step::runRecorded));
            } finally {
                step.closeRecording();
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            out.println("recorded | " + batch + " | recording failed: " + e.getMessage());
        }
        return true;
    }

    private static void row(PrintStream out, String who, int batch, Double seconds) {
        out.println(String.format(Locale.ROOT, "%-8s | %6d | %s | %s | %s", who, batch, Machine.cell(seconds == null ? null : 1e3 * seconds, 12, "%.2f"),
                Machine.cell(seconds == null ? null : seconds * EPOCH_IMAGES / batch, 16, "%.1f"), Machine.cell(seconds == null ? null : batch / seconds, 10, "%.0f")));
    }

    static String join(int[] values) {
        List<String> parts = new ArrayList<>();
        for (int v : values) parts.add(Integer.toString(v));
        return String.join(",", parts);
    }
}
