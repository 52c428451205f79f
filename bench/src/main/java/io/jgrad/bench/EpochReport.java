package io.jgrad.bench;

import io.jgrad.autograd.Tensor;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.train.models.MnistCnn;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code jgrad bench epoch}: one training step of the reference MNIST ConvNet (batch 128: forward, cross-entropy,
 * backward, Adam step) in jgrad and in PyTorch CPU, measured in the same run with all cores, and the 60,000-image
 * epoch time that follows from it. The data loading of a real epoch is left out on both sides (it is a few
 * percent of an epoch in either).
 */
final class EpochReport {

    static final int BATCH = 128;
    static final int EPOCH_IMAGES = 60_000;
    static final int WARMUP_STEPS = 15;

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

    static final String SCRIPT = PythonAnchor.TORCH + CONVNET + """
            m = ConvNet(); opt = torch.optim.Adam(m.parameters(), 1e-3)
            X = torch.rand(128 * 8, 1, 28, 28); Y = torch.randint(0, 10, (128 * 8,))
            i = [0]
            def step():
                j = (i[0] % 8) * 128; i[0] += 1
                opt.zero_grad(); F.cross_entropy(m(X[j:j + 128]), Y[j:j + 128]).backward(); opt.step()
            print('torch.step', median_seconds(step), flush=True)
            """;

    private EpochReport() {
    }

    static void run(PrintStream out) {
        int all = Machine.cores();
        out.println("jgrad bench epoch: reference MNIST ConvNet training step, batch " + BATCH + " (forward, cross-entropy, backward, Adam), " + all + " threads");
        Machine.describe(out);
        PythonAnchor.Result torch = PythonAnchor.run(SCRIPT, all, List.of());
        out.println("torch " + torch.info().getOrDefault("torch", "n/a") + " (/usr/bin/python3)" + (torch.note() != null ? "; note: " + torch.note() : ""));
        out.println("jgrad backend: " + Backends.forDevice(io.jgrad.tensor.Device.CPU).name());
        double jgrad = jgradStepSeconds();
        Double py = torch.get("torch.step");
        out.println();
        out.println(String.format(Locale.ROOT, "%-8s | %12s | %16s", "", "ms per step", "s per 60k epoch"));
        out.println(String.format(Locale.ROOT, "%-8s | %12.1f | %16.1f", "jgrad", 1e3 * jgrad, jgrad * EPOCH_IMAGES / BATCH));
        out.println(String.format(Locale.ROOT, "%-8s | %12s | %16s", "pytorch", Machine.cell(py == null ? null : 1e3 * py, 12, "%.1f"),
                Machine.cell(py == null ? null : py * EPOCH_IMAGES / BATCH, 16, "%.1f")));
        out.println(String.format(Locale.ROOT, "epoch mnist-cnn jgrad/pytorch: %s", py == null ? "n/a" : String.format(Locale.ROOT, "%.2f", py / jgrad)));
    }

    /** Median seconds of one training step over eight rotating batches of random images. */
    private static double jgradStepSeconds() {
        Init.manualSeed(0);
        MnistCnn model = new MnistCnn();
        Optimizer adam = Adam.builder().lr(1e-3).build(model.parameters());
        CrossEntropyLoss loss = new CrossEntropyLoss();
        Generator gen = new Generator(0);
        NDArray images = NDArray.rand(gen, DType.FLOAT32, BATCH * 8, 1, 28, 28);
        long[] labels = new long[BATCH * 8];
        for (int i = 0; i < labels.length; i++) labels[i] = gen.nextInt(10);
        NDArray targets = NDArray.of(labels, labels.length);
        int[] next = {0};
        Runnable step = () -> {
            int j = (next[0]++ % 8) * BATCH;
            adam.zeroGrad();
            Tensor l = loss.forward(model.forward(Tensor.of(images.narrow(0, j, BATCH))), Tensor.of(targets.narrow(0, j, BATCH)));
            l.backward();
            adam.step();
        };
        // A whole training step is a lot of code for the JIT: give it more than Timing's short warm-up.
        for (int i = 0; i < WARMUP_STEPS; i++) step.run();
        return Timing.medianSeconds(step);
    }
}
