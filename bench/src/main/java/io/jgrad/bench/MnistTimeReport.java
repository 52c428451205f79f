package io.jgrad.bench;

import io.jgrad.autograd.GradMode;
import io.jgrad.autograd.Tensor;
import io.jgrad.data.DataSource;
import io.jgrad.data.DataSources;
import io.jgrad.data.TensorDataset;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.train.models.MnistCnn;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code jgrad bench mnist}: the wall clock from the start of training to a test accuracy of at least the target
 * (99.0%) on full MNIST, in jgrad and in PyTorch eager with the same recipe, measured in the same run. The recipe,
 * on both sides: the reference ConvNet ({@link MnistCnn}), Adam at 1e-3, batches drawn from a fresh permutation of
 * the 60,000 training images every epoch, pixels / 255 normalised by MNIST's mean and standard deviation; all
 * training and test images are put on the device before the clock starts; the test accuracy is evaluated after
 * every epoch and that time counts. With a GPU backend PyTorch runs on CUDA (TF32 off), else on the CPU.
 */
final class MnistTimeReport {

    private static final int EVAL_BATCH = 1000;

    static final String SCRIPT = PythonAnchor.TORCH + """
            import gzip, numpy as np
            device, data, bs, target, max_epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
            if device == 'cuda' and not torch.cuda.is_available():
                print('note torch sees no CUDA device'); sys.exit(0)
            if device == 'cuda':
                torch.backends.cuda.matmul.allow_tf32 = False; torch.backends.cudnn.allow_tf32 = False
                print('info.gpu', torch.cuda.get_device_name(0))
            def idx(name):
                path = os.path.join(data, name)
                with (open(path, 'rb') if os.path.exists(path) else gzip.open(path + '.gz', 'rb')) as f:
                    raw = f.read()
                dims = raw[3]; shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
                return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
            def images(name):
                x = torch.tensor(idx(name), dtype=torch.float32).div_(255).sub_(%s).div_(%s)
                return x.unsqueeze(1).to(device)
            X, Y = images('train-images-idx3-ubyte'), torch.tensor(idx('train-labels-idx1-ubyte'), dtype=torch.long).to(device)
            TX, TY = images('t10k-images-idx3-ubyte'), torch.tensor(idx('t10k-labels-idx1-ubyte'), dtype=torch.long).to(device)
            """.formatted(DataSources.MNIST_MEAN, DataSources.MNIST_STD) + EpochReport.CONVNET + """
            def sync():
                if device == 'cuda': torch.cuda.synchronize()
            m = ConvNet().to(device); opt = torch.optim.Adam(m.parameters(), 1e-3)
            g = torch.Generator(device=device); g.manual_seed(0)
            sync(); t0 = time.perf_counter()
            for epoch in range(1, max_epochs + 1):
                m.train()
                perm = torch.randperm(X.shape[0], device=device, generator=g)
                for j in range(0, X.shape[0], bs):
                    b = perm[j:j + bs]
                    opt.zero_grad(); F.cross_entropy(m(X[b]), Y[b]).backward(); opt.step()
                m.eval()
                with torch.no_grad():
                    correct = sum((m(TX[j:j + 1000]).argmax(1) == TY[j:j + 1000]).sum() for j in range(0, TX.shape[0], 1000))
                acc = 100.0 * correct.item() / TX.shape[0]
                print('torch.epoch.%d' % epoch, time.perf_counter() - t0)
                print('torch.accuracy.%d' % epoch, acc, flush=True)
                if acc >= target: break
            """;

    private MnistTimeReport() {
    }

    /** The command's options; {@code backend} null for the CPU. */
    record Options(String backend, int batch, double target, int maxEpochs, Path dataDir, boolean record) {

        static Options parse(String[] args) {
            String backend = null;
            int batch = 128, maxEpochs = 6;
            double target = 99.0;
            Path dataDir = DataSources.DEFAULT_MNIST_DIR;
            boolean record = false;
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--record")) {
                    record = true;
                    continue;
                }
                if (i + 1 >= args.length) throw new IllegalArgumentException("mnist: option '" + args[i] + "' needs a value");
                String value = args[++i];
                switch (args[i - 1]) {
                    case "--backend" -> backend = value;
                    case "--batch" -> batch = positive("--batch", value);
                    case "--max-epochs" -> maxEpochs = positive("--max-epochs", value);
                    case "--data-dir" -> dataDir = Path.of(value);
                    case "--target" -> {
                        try {
                            target = Double.parseDouble(value);
                        } catch (NumberFormatException e) {
                            target = Double.NaN;
                        }
                        if (!(target > 0 && target <= 100)) throw new IllegalArgumentException("mnist: --target expects a percentage in (0, 100], got '" + value + "'");
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + args[i - 1]
                            + "' (mnist takes --backend NAME, --batch N, --target PCT, --max-epochs N, --data-dir DIR, --record)");
                }
            }
            return new Options(backend, batch, target, maxEpochs, dataDir, record);
        }

        private static int positive(String option, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n > 0) return n;
            } catch (NumberFormatException e) {
                // the message below
            }
            throw new IllegalArgumentException("mnist: " + option + " expects a positive integer, got '" + value + "'");
        }
    }

    /** {@code o.backend()} null: the CPU, with the best CPU backend. */
    static void run(Options o, PrintStream out) throws IOException {
        String backendName = o.backend();
        int batch = o.batch(), maxEpochs = o.maxEpochs();
        double target = o.target();
        Path dataDir = o.dataDir();
        if (backendName != null) Backends.use(backendName);
        Backend backend = backendName != null ? Backends.get(backendName) : Backends.forDevice(Device.CPU);
        boolean gpu = !backend.device().isCpu();
        DataSource mnist = DataSources.mnist(dataDir);
        TensorDataset train = mnist.train(), test = mnist.test();
        out.printf(Locale.ROOT, "jgrad bench mnist: the reference ConvNet to %.1f%% test accuracy on full MNIST (%d training, %d test images), Adam 1e-3, "
                + "batch %d, evaluated after each epoch (at most %d), on %s against PyTorch on %s%n", target, train.size(), test.size(), batch, maxEpochs,
                backend.deviceName(), gpu ? "CUDA (TF32 off)" : "the CPU");
        Machine.describe(out);
        PythonAnchor.Result torch = PythonAnchor.run(SCRIPT, Machine.cores(),
                List.of(gpu ? "cuda" : "cpu", dataDir.toString(), Integer.toString(batch), Double.toString(target), Integer.toString(maxEpochs)));
        out.println("torch " + torch.info().getOrDefault("torch", "n/a") + (gpu ? " on " + torch.info().getOrDefault("gpu", "n/a") : "")
                + " (" + PythonAnchor.python() + ")" + (torch.note() != null ? "; note: " + torch.note() : ""));
        out.println("jgrad backend: " + backend.name() + " (" + backend.device() + ")");
        out.println();
        out.println(String.format(Locale.ROOT, "%-8s | %5s | %12s | %9s", "", "epoch", "s (elapsed)", "test acc"));
        Double jgrad = train(backend, train, test, batch, target, maxEpochs, o.record(), out);
        Double py = null;
        for (int epoch = 1; epoch <= maxEpochs && torch.get("torch.epoch." + epoch) != null; epoch++) {
            double accuracy = torch.get("torch.accuracy." + epoch);
            row(out, "pytorch", epoch, torch.get("torch.epoch." + epoch), accuracy);
            if (accuracy >= target) py = torch.get("torch.epoch." + epoch);
        }
        out.println(String.format(Locale.ROOT, "mnist time to %.1f%%: jgrad %s s, pytorch %s s, jgrad/pytorch %s", target, cell(jgrad), cell(py),
                jgrad == null || py == null ? "n/a" : String.format(Locale.ROOT, "%.2f", jgrad / py)));
    }

    /**
     * Trains until the target; the seconds from the first step to the evaluation that reached it, or null. With
     * {@code record}, full batches after the first {@link #EAGER_BEFORE_RECORDING} run as replays of one recorded
     * forward and backward pass ({@link RecordedPass}; where the backend cannot record, every step runs eagerly).
     */
    private static Double train(Backend backend, TensorDataset train, TensorDataset test, int batch, double target, int maxEpochs,
                                boolean record, PrintStream out) {
        Device device = backend.device();
        NDArray x = normalised(train).to(device), y = train.labelArray().to(device);
        NDArray testX = normalised(test).to(device), testY = test.labelArray().to(device);
        Init.manualSeed(0);
        Module model = new MnistCnn();
        Optimizer adam = Adam.builder().lr(1e-3).build(model.parameters());
        CrossEntropyLoss loss = new CrossEntropyLoss();
        Generator gen = new Generator(0);
        int n = x.shape(0);
        backend.synchronize();
        long start = System.nanoTime();
        RecordedPass recorded = null;
        boolean canRecord = record;
        int steps = 0;
        try {
            for (int epoch = 1; epoch <= maxEpochs; epoch++) {
                model.train();
                NDArray order = NDArray.of(permutation(gen, n), n).to(device);
                for (int first = 0; first < n; first += batch, steps++) {
                    NDArray rows = order.narrow(0, first, Math.min(batch, n - first));
                    boolean full = rows.shape(0) == batch;
                    if (canRecord && recorded == null && full && steps >= EAGER_BEFORE_RECORDING) {
                        recorded = RecordedPass.record(backend, model, adam, loss, batch, 1, 28, 28);
                        canRecord = recorded != null;
                    }
                    if (recorded != null && full) {
                        recorded.run(x.indexSelect(0, rows), y.indexSelect(0, rows));
                    } else {
                        adam.zeroGrad();
                        loss.forward(model.forward(Tensor.of(x.indexSelect(0, rows))), Tensor.of(y.indexSelect(0, rows))).backward();
                    }
                    adam.step();
                }
                double accuracy = 100.0 * correct(model, testX, testY) / testX.shape(0);
                double seconds = (System.nanoTime() - start) / 1e9;
                row(out, recorded != null ? "recorded" : "jgrad", epoch, seconds, accuracy);
                if (accuracy >= target) return seconds;
            }
            return null;
        } finally {
            if (recorded != null) recorded.close();
        }
    }

    /** Eager steps before a recording (--record): kernels load and the allocator's cache fills. */
    static final int EAGER_BEFORE_RECORDING = 3;

    /** Test images classified correctly, counted on the device and read once. */
    private static long correct(Module model, NDArray images, NDArray labels) {
        model.eval();
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            NDArray total = null;
            for (int first = 0; first < images.shape(0); first += EVAL_BATCH) {
                int count = Math.min(EVAL_BATCH, images.shape(0) - first);
                NDArray predicted = model.forward(Tensor.of(images.narrow(0, first, count))).data().argmax(1, false);
                NDArray hits = predicted.eq(labels.narrow(0, first, count)).sum();
                total = total == null ? hits : total.add(hits);
            }
            return total == null ? 0 : (long) total.item();
        }
    }

    private static NDArray normalised(TensorDataset data) {
        return data.inputArray().sub(DataSources.MNIST_MEAN).div(DataSources.MNIST_STD);
    }

    /** A random order of {@code 0 .. n-1}, as int64 indices. */
    private static long[] permutation(Generator gen, int n) {
        return java.util.Arrays.stream(gen.permutation(n)).asLongStream().toArray();
    }

    private static void row(PrintStream out, String who, int epoch, double seconds, double accuracy) {
        out.println(String.format(Locale.ROOT, "%-8s | %5d | %12.2f | %8.2f%%", who, epoch, seconds, accuracy));
    }

    private static String cell(Double seconds) {
        return seconds == null ? "n/a" : String.format(Locale.ROOT, "%.2f", seconds);
    }
}
