package io.jgrad.train;

import io.jgrad.autograd.Tensor;
import io.jgrad.data.Batch;
import io.jgrad.data.DataLoader;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Loss;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training loop for classifiers: for each epoch, every batch goes forward, the loss backward and the
 * optimiser takes a step; then the model is measured on the validation data, the epoch's metrics go to the
 * log, the CSV and the plots, and the callbacks run (schedules, checkpoints, early stopping). A loss that
 * becomes NaN or infinite stops training at once with a message saying where.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(model, Adam.builder().lr(1e-3).build(model.parameters()))
 *         .epochs(3).outputDirectory(Path.of("runs/cnn")).callback(new EarlyStopping("val_loss", false, 2, 0))
 *         .build();
 * Trainer.Result result = trainer.fit(trainLoader, validationLoader);
 * }</pre>
 */
public final class Trainer {

    /** How training ended. */
    public enum Outcome { COMPLETED, STOPPED_BY_CALLBACK, STOPPED_NON_FINITE_LOSS }

    /** Every epoch's metrics and how training ended. */
    public record Result(List<EpochMetrics> epochs, Outcome outcome, String message) {
        public EpochMetrics last() {
            return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
        }
    }

    private final Module model;
    private final Optimizer optimizer;
    private final Loss loss;
    private final int epochs;
    private final int startEpoch;
    private final int numClasses;
    private final List<Callback> callbacks;
    private final PrintStream log;
    private final boolean interactive;
    private final Path outputDirectory;
    private final String architecture;
    private final Map<String, String> options;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.loss = b.loss;
        this.epochs = b.epochs;
        this.startEpoch = b.startEpoch;
        this.numClasses = b.numClasses;
        this.callbacks = List.copyOf(b.callbacks);
        this.log = b.log;
        this.interactive = b.interactive;
        this.outputDirectory = b.outputDirectory;
        this.architecture = b.architecture;
        this.options = Map.copyOf(b.options);
    }

    public static Builder builder(Module model, Optimizer optimizer) {
        return new Builder(model, optimizer);
    }

    public Module model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public PrintStream log() {
        return log;
    }

    /** The description a checkpoint of this run carries. */
    public CheckpointInfo checkpointInfo(int epoch, Map<String, Double> metrics) {
        return new CheckpointInfo(architecture, epoch, metrics, options);
    }

    /** Trains for the configured epochs; {@code validation} may be null. */
    public Result fit(DataLoader train, DataLoader validation) throws Exception {
        List<EpochMetrics> history = new ArrayList<>();
        // A resumed run keeps the earlier epochs' rows, and its plots show the whole run.
        MetricsCsv csv = outputDirectory == null ? null : MetricsCsv.continuing(outputDirectory.resolve("metrics.csv"), startEpoch);
        for (int epoch = startEpoch + 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            model.train();
            double lr = optimizer.paramGroups().get(0).lr();
            TrainedEpoch trained = trainEpoch(train, epoch);
            if (trained.nonFiniteLoss() != null) {
                log.println(trained.nonFiniteLoss());
                return new Result(history, Outcome.STOPPED_NON_FINITE_LOSS, trained.nonFiniteLoss());
            }
            Evaluation val = validation == null ? null : evaluate(model, validation, loss, numClasses);
            EpochMetrics m = new EpochMetrics(epoch, trained.loss(), trained.accuracy(), val == null ? Double.NaN : val.loss(),
                    val == null ? Double.NaN : val.accuracy(), lr, (System.nanoTime() - start) / 1e9);
            history.add(m);
            log.println(String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f  train acc %.2f%%%s  lr %.3g  %.1f s", epoch, epochs,
                    m.trainLoss(), 100 * m.trainAccuracy(),
                    val == null ? "" : String.format(Locale.ROOT, "  val loss %.4f  val acc %.2f%%", m.validationLoss(), 100 * m.validationAccuracy()),
                    lr, m.seconds()));
            if (csv != null) {
                csv.append(m);
                writePlots(csv.rows());
            }
            boolean stop = false;
            for (Callback c : callbacks) stop |= c.afterEpoch(m, this);
            if (stop) return new Result(history, Outcome.STOPPED_BY_CALLBACK, "stopped by a callback after epoch " + epoch);
        }
        return new Result(history, Outcome.COMPLETED, "completed " + epochs + " epochs");
    }

    /** One epoch's mean loss and accuracy, or, when the loss stopped being finite, the message saying where. */
    private record TrainedEpoch(double loss, double accuracy, String nonFiniteLoss) {
        static TrainedEpoch stopped(String nonFiniteLoss) {
            return new TrainedEpoch(Double.NaN, Double.NaN, nonFiniteLoss);
        }
    }

    /**
     * One epoch. The loss and accuracy are summed on the model's device ({@link RunningTotals}) and read on the
     * host only when the progress bar prints and at the end: on a GPU a step then never waits for the device.
     * On the CPU, where reading costs nothing, they are read every batch, so a non-finite loss stops training
     * before the update of the batch that produced it; on a GPU it is found at the next read.
     */
    private TrainedEpoch trainEpoch(DataLoader train, int epoch) {
        ProgressBar bar = new ProgressBar(log, interactive, String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs), train.batchesPerEpoch());
        long seen = 0;
        int batches = 0, lastRead = 0;
        Device device = deviceOf(model);
        RunningTotals totals = new RunningTotals(device);
        RunningTotals.Read read = null;
        // Epoch e of the loader (its order and augmentation) for epoch e of training, also after resuming.
        try (DataLoader.BatchIterator it = train.epoch(epoch - 1)) {
            while (it.hasNext()) {
                Batch batch = it.next();
                NDArray labels = batch.labels().to(device);
                Tensor logits = model.forward(Tensor.of(batch.inputs().to(device)));
                Tensor l = loss.forward(logits, Tensor.of(labels));
                totals.add(l.data(), logits.data(), labels, batch.size());
                read = device.isCpu() || bar.due(batches + 1) ? totals.read() : null;
                if (read != null) {
                    String stopped = nonFiniteLoss(read, epoch, lastRead, batches + 1);
                    if (stopped != null) return TrainedEpoch.stopped(stopped);
                    lastRead = batches + 1;
                }
                optimizer.zeroGrad();
                l.backward();
                optimizer.step();
                batches++;
                seen += batch.size();
                if (read != null) bar.update(batches, seen, read.lossSum() / seen, read.correct() / seen);
            }
        }
        if (batches == 0) { // an epoch without batches trains nothing and measures NaN: never a silent success
            throw new IllegalStateException("Trainer: epoch " + epoch + " has no training batches: the training data holds " + train.dataset().size()
                    + " examples" + (train.dataset().size() > 0 ? " (fewer than one batch, and the last batch is dropped)" : ""));
        }
        if (lastRead < batches) {
            read = totals.read();
            String stopped = nonFiniteLoss(read, epoch, lastRead, batches);
            if (stopped != null) return TrainedEpoch.stopped(stopped);
        }
        return new TrainedEpoch(read.lossSum() / seen, read.correct() / seen, null);
    }

    /**
     * The message that stops training when the loss sum stopped being finite (it stays so once one batch's loss is
     * NaN or infinite), naming the batch, or the batches since the last read ({@code lastRead + 1} to {@code batch}).
     */
    private static String nonFiniteLoss(RunningTotals.Read read, int epoch, int lastRead, int batch) {
        if (Double.isFinite(read.lossSum())) return null;
        return String.format(Locale.ROOT, "stopping: the loss became %s at epoch %d, %s; lower the learning rate or check the data",
                Double.isNaN(read.lossSum()) ? "NaN" : "infinite", epoch,
                lastRead + 1 == batch ? "batch " + batch : "one of batches " + (lastRead + 1) + "-" + batch);
    }

    /** Mean loss, accuracy and confusion matrix of {@code model} over {@code data}, in eval mode without recording. */
    public static Evaluation evaluate(Module model, DataLoader data, Loss loss, int numClasses) {
        boolean wasTraining = model.isTraining();
        model.eval();
        Device device = deviceOf(model);
        try {
            return Evaluation.over(data, numClasses, batch -> {
                Tensor logits = model.forward(Tensor.of(batch.inputs().to(device)));
                return new Evaluation.Scored(loss.forward(logits, Tensor.of(batch.labels().to(device))).item(), logits.data().argmax(1, false).toLongArray());
            });
        } finally {
            model.train(wasTraining);
        }
    }

    /**
     * Where the model's parameters live, and so where each batch goes. Data loading and augmentation stay on
     * the host (as in PyTorch, where the loop moves each batch with {@code .to(device)}); for a model on the
     * CPU, {@code to} returns the batch itself.
     */
    static Device deviceOf(Module model) {
        List<Tensor> params = model.parameters();
        return params.isEmpty() ? Device.CPU : params.get(0).data().device();
    }

    /**
     * Whether this Java runtime can draw the plots: a jlinked runtime (the one carried to the GPU machine) may leave
     * out {@code java.desktop}, and training must not fail for want of a picture.
     */
    private static final boolean CAN_PLOT = ModuleLayer.boot().findModule("java.desktop").isPresent();
    private boolean saidNoPlots;

    private void writePlots(List<EpochMetrics> history) throws IOException {
        if (!CAN_PLOT) {
            if (!saidNoPlots) log.println("no loss.png / accuracy.png: this Java runtime has no java.desktop module");
            saidNoPlots = true;
            return;
        }
        int n = history.size();
        double[] trainLoss = new double[n], valLoss = new double[n], trainAcc = new double[n], valAcc = new double[n];
        for (int i = 0; i < n; i++) {
            EpochMetrics m = history.get(i);
            trainLoss[i] = m.trainLoss();
            valLoss[i] = m.validationLoss();
            trainAcc[i] = 100 * m.trainAccuracy();
            valAcc[i] = 100 * m.validationAccuracy();
        }
        new LineChart("loss per epoch", "loss").add("train", trainLoss).add("validation", valLoss).write(outputDirectory.resolve("loss.png"));
        new LineChart("accuracy per epoch", "accuracy (%)").add("train", trainAcc).add("validation", valAcc).write(outputDirectory.resolve("accuracy.png"));
    }

    /** Settings of a {@link Trainer}. */
    public static final class Builder {
        private final Module model;
        private final Optimizer optimizer;
        private Loss loss = new CrossEntropyLoss();
        private int epochs = 1;
        private int startEpoch = 0;
        private int numClasses = 10;
        private final List<Callback> callbacks = new ArrayList<>();
        private PrintStream log = System.out;
        private boolean interactive = ProgressBar.stdoutIsTerminal();
        private Path outputDirectory;
        private String architecture;
        private final Map<String, String> options = new LinkedHashMap<>();

        private Builder(Module model, Optimizer optimizer) {
            if (model == null || optimizer == null) throw new IllegalArgumentException("Trainer: model and optimizer are required");
            this.model = model;
            this.optimizer = optimizer;
        }

        public Builder loss(Loss loss) {
            this.loss = loss;
            return this;
        }

        /** Train until this epoch (counting from 1). */
        public Builder epochs(int epochs) {
            if (epochs < 1) throw new IllegalArgumentException("Trainer: epochs must be >= 1, got " + epochs);
            this.epochs = epochs;
            return this;
        }

        /** Epochs already done (after resuming from a checkpoint); training continues with the next one. */
        public Builder startEpoch(int startEpoch) {
            if (startEpoch < 0) throw new IllegalArgumentException("Trainer: startEpoch must be >= 0, got " + startEpoch);
            this.startEpoch = startEpoch;
            return this;
        }

        public Builder numClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        public Builder callback(Callback callback) {
            callbacks.add(callback);
            return this;
        }

        public Builder log(PrintStream log, boolean interactive) {
            this.log = log;
            this.interactive = interactive;
            return this;
        }

        /** Where metrics.csv, loss.png and accuracy.png go (none when null). */
        public Builder outputDirectory(Path dir) {
            this.outputDirectory = dir;
            return this;
        }

        /** The architecture name and options recorded in checkpoints. */
        public Builder describe(String architecture, Map<String, String> options) {
            this.architecture = architecture;
            this.options.putAll(options);
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }
}
