package io.jgrad.spark;

import io.jgrad.autograd.Tensor;
import io.jgrad.data.DataLoader;
import io.jgrad.data.Dataset;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.NDArray;
import io.jgrad.train.CheckpointInfo;
import io.jgrad.train.EpochMetrics;
import io.jgrad.train.Evaluation;
import io.jgrad.train.MetricsCsv;
import io.jgrad.train.ProgressBar;
import io.jgrad.train.Trainer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Synchronous data-parallel training of any {@link Module} with any {@link Optimizer} on Apache Spark.
 *
 * <p>The training set is an RDD of {@link TrainingExample}s; each partition is one worker's shard. Training
 * goes in rounds. At the start of a round the driver broadcasts the model's state; every task rebuilds the
 * model from it and works on its shard; the tasks' results are summed with {@code treeAggregate} (in a fixed
 * order, see {@link PartitionTree}) and applied on the driver; the next round broadcasts the result.
 * <ul>
 *   <li>{@code syncEvery(1)}, gradient averaging: a round is one step. Each task returns the gradient of its
 *       local batch weighted by its share of the global batch; the driver divides the sum by the global batch
 *       size, which gives exactly the global batch's mean gradient, and takes one optimiser step. This is
 *       single-machine training with the global batch, to float32 rounding.</li>
 *   <li>{@code syncEvery(K > 1)}, parameter averaging (as Deeplearning4j's): the optimiser state is broadcast
 *       too, each task takes {@code K} local steps, and the driver averages parameters, buffers and optimiser
 *       state, weighted by each partition's share of the batch.</li>
 * </ul>
 * Which examples form each step is fixed by a {@link ShardPlan} seeded per epoch and partition, so a task that
 * Spark re-runs after losing an executor computes exactly what the lost one would have, and the final
 * weights do not depend on failures. Checkpoints go every {@code N} rounds to any Hadoop file system and a run
 * resumes from the newest one.
 *
 * <pre>{@code
 * SparkTrainer trainer = SparkTrainer.builder(() -> new Mlp(784, 128, 10), params -> Adam.builder().lr(1e-3).build(params))
 *         .exampleShape(1, 28, 28).batchSize(64).epochs(3).build();
 * SparkTrainer.Result result = trainer.fit(examplesRdd);
 * }</pre>
 *
 * <p>Limitations: batch norm's running statistics are averaged over the shards' (each shard normalises with
 * its own local batch statistics, as in PyTorch's DistributedDataParallel without SyncBatchNorm), and layers
 * drawing randomness from the shared {@code Init.generator()} (dropout without its own generator) are not
 * reproducible across re-runs when an executor runs several tasks at once.
 */
public final class SparkTrainer {

    /**
     * Every epoch's metrics, the mean loss of every step of this run, the steps and rounds done in all (counting
     * those before a resume), the trained model and optimiser (on the driver), whether training ran to the end
     * (false when the loss stopped being finite), the wall time of each round of this run (broadcast, tasks,
     * aggregation and the update on the driver) and the bytes of results per partition and round.
     */
    public record Result(List<EpochMetrics> epochs, double[] stepLosses, long steps, int rounds, Module model, Optimizer optimizer,
                         boolean completed, double[] roundSeconds, long bytesPerRound) {

        /** The mean of {@link #roundSeconds()} after the first {@code skip} rounds (which fill caches and warm up the JIT). */
        public double meanRoundSeconds(int skip) {
            double sum = 0;
            int n = 0;
            for (int i = skip; i < roundSeconds.length; i++, n++) sum += roundSeconds[i];
            return n == 0 ? Double.NaN : sum / n;
        }
    }

    private final TrainingSetup.ModelFactory modelFactory;
    private final TrainingSetup.OptimizerFactory optimizerFactory;
    private final TrainingSetup.LossFactory lossFactory;
    private final int[] exampleShape;
    private final int batchSize;
    private final int epochs;
    private final long rounds;
    private final int syncEvery;
    private final boolean shuffle;
    private final long seed;
    private final String checkpointDir;
    private final int checkpointEvery;
    private final boolean resume;
    private final PrintStream log;
    private final boolean interactive;
    private final Path outputDirectory;
    private final Dataset validation;
    private final int numClasses;
    private final String architecture;
    private final Map<String, String> options;

    private SparkTrainer(Builder b) {
        this.modelFactory = b.model;
        this.optimizerFactory = b.optimizer;
        this.lossFactory = b.loss;
        this.exampleShape = b.exampleShape.clone();
        this.batchSize = b.batchSize;
        this.epochs = b.epochs;
        this.rounds = b.rounds;
        this.syncEvery = b.syncEvery;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.checkpointDir = b.checkpointDir;
        this.checkpointEvery = b.checkpointEvery;
        this.resume = b.resume;
        this.log = b.log;
        this.interactive = b.interactive;
        this.outputDirectory = b.outputDirectory;
        this.validation = b.validation;
        this.numClasses = b.numClasses;
        this.architecture = b.architecture;
        this.options = Map.copyOf(b.options);
    }

    /** A trainer of the models {@code model} builds, with the optimisers {@code optimizer} builds over their parameters. */
    public static Builder builder(TrainingSetup.ModelFactory model, TrainingSetup.OptimizerFactory optimizer) {
        return new Builder(model, optimizer);
    }

    /** Trains on {@code data} (cached by the trainer for the run unless it already is). */
    public Result fit(JavaRDD<TrainingExample> data) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.context());
        int[] sizes = countAndCheck(data);
        ShardPlan plan = ShardPlan.of(sizes, batchSize, shuffle, seed);
        TrainingSetup setup = new TrainingSetup(modelFactory, optimizerFactory, lossFactory, exampleShape, plan, syncEvery > 1);
        boolean cachedHere = data.getStorageLevel().equals(StorageLevel.NONE());
        JavaRDD<TrainingExample> shards = cachedHere ? data.persist(StorageLevel.MEMORY_ONLY()) : data;
        try {
            return train(sc, shards, setup);
        } finally {
            if (cachedHere) shards.unpersist(false);
        }
    }

    private Result train(JavaSparkContext sc, JavaRDD<TrainingExample> shards, TrainingSetup setup) throws IOException {
        ShardPlan plan = setup.plan();
        int stepsPerEpoch = plan.stepsPerEpoch();
        long totalSteps = rounds > 0 ? rounds * syncEvery : (long) epochs * stepsPerEpoch;
        int lastEpoch = (int) ((totalSteps + stepsPerEpoch - 1) / stepsPerEpoch);
        Module model = modelFactory.create();
        Optimizer optimizer = optimizerFactory.create(model.parameters());
        ClusterCheckpoints checkpoints = checkpointDir == null ? null : new ClusterCheckpoints(checkpointDir, sc.hadoopConfiguration());

        long step = 0;
        int round = 0;
        if (resume && checkpoints != null && checkpoints.latest() >= 0) {
            round = checkpoints.latest();
            CheckpointInfo info = checkpoints.resume(round, model, optimizer);
            String saved = info.options().get("step");
            if (saved == null) throw new IllegalArgumentException("checkpoint " + checkpoints.directory(round) + " does not record its step");
            step = Long.parseLong(saved);
            log.println("resumed from " + checkpoints.directory(round) + " after round " + round + " (step " + step + ")");
        }
        log.println(String.format(Locale.ROOT, "training on %d partitions (sizes %s), global batch %d (%d..%d per partition), %d steps per epoch, %s every %d step%s",
                plan.partitions(), java.util.Arrays.toString(partitionSizes(plan)), plan.globalBatch(), plan.localBatch(plan.partitions() - 1),
                plan.localBatch(0), stepsPerEpoch, syncEvery == 1 ? "gradient averaging" : "parameter averaging", syncEvery, syncEvery == 1 ? "" : "s"));

        MetricsCsv csv = outputDirectory == null ? null : new MetricsCsv(outputDirectory.resolve("metrics.csv"));
        List<EpochMetrics> history = new ArrayList<>();
        List<Double> stepLosses = new ArrayList<>();
        EpochTally tally = new EpochTally();
        ProgressBar bar = null;
        List<Double> roundSeconds = new ArrayList<>();
        long bytesPerRound = 0;
        while (step < totalSteps) {
            int steps = (int) Math.min(syncEvery, totalSteps - step);
            long start = System.nanoTime();
            RoundInput input = RoundInput.of(step, steps, model, setup.averageParameters() ? optimizer : null);
            Broadcast<RoundInput> broadcast = sc.broadcast(input);
            Contribution total;
            try {
                total = shards.mapPartitionsWithIndex(new RoundTask(setup, broadcast), false)
                        .treeAggregate(new PartitionTree(plan.partitions()), PartitionTree::merge, PartitionTree::merge, 2)
                        .total();
            } finally {
                broadcast.destroy();
            }
            if (setup.averageParameters()) averageInto(total, model, optimizer, plan.globalBatch());
            else applyGradients(total, model, optimizer, plan.globalBatch());
            roundSeconds.add((System.nanoTime() - start) / 1e9);
            bytesPerRound = total.payloadBytes();
            round++;

            for (int k = 0; k < steps; k++) {
                if (bar == null) bar = new ProgressBar(log, interactive, String.format(Locale.ROOT, "epoch %d/%d", (step + k) / stepsPerEpoch + 1, lastEpoch), stepsPerEpoch);
                double loss = total.stepLossSum[k] / total.stepExamples[k];
                if (!Double.isFinite(loss)) {
                    log.println(String.format(Locale.ROOT, "stopping: the loss became %s at step %d (epoch %d); lower the learning rate or check the data",
                            Double.isNaN(loss) ? "NaN" : "infinite", step + k + 1, (step + k) / stepsPerEpoch + 1));
                    return new Result(history, toArray(stepLosses), step + k, round, model, optimizer, false, toArray(roundSeconds), bytesPerRound);
                }
                stepLosses.add(loss);
                tally.add(total.stepLossSum[k], total.stepCorrect[k], total.stepExamples[k]);
                long done = step + k + 1;
                if (done % stepsPerEpoch == 0 || done == totalSteps) {
                    bar.update(stepInEpoch(done, stepsPerEpoch), tally.examples, tally.loss(), tally.accuracy());
                    history.add(endEpoch((int) ((done - 1) / stepsPerEpoch) + 1, lastEpoch, tally, model, optimizer, csv));
                    tally = new EpochTally();
                    bar = null;
                }
            }
            step += steps;
            if (bar != null) bar.update(stepInEpoch(step, stepsPerEpoch), tally.examples, tally.loss(), tally.accuracy());
            if (checkpoints != null && (round % checkpointEvery == 0 || step == totalSteps)) {
                Map<String, String> saved = new LinkedHashMap<>(options);
                saved.put("round", Integer.toString(round));
                saved.put("step", Long.toString(step));
                EpochMetrics last = history.isEmpty() ? null : history.get(history.size() - 1);
                checkpoints.save(round, model, optimizer, new CheckpointInfo(architecture, (int) (step / stepsPerEpoch),
                        last == null ? Map.of() : Map.of("train_loss", last.trainLoss()), saved));
            }
        }
        Result result = new Result(history, toArray(stepLosses), step, round, model, optimizer, true, toArray(roundSeconds), bytesPerRound);
        log.println(String.format(Locale.ROOT, "%d rounds in this run, %.1f ms per round, %d bytes of results per partition and round",
                roundSeconds.size(), 1000 * result.meanRoundSeconds(0), bytesPerRound));
        return result;
    }

    /** Gradient averaging: the global batch's mean gradient is {@code Σ_p b_p·ḡ_p / B}; one optimiser step. */
    private static void applyGradients(Contribution total, Module model, Optimizer optimizer, int globalBatch) {
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
            TensorSnapshot g = total.mean(RoundTask.GRAD + p.getKey(), globalBatch);
            p.getValue().setGrad(g == null ? null : g.toNDArray());
        }
        optimizer.step();
        optimizer.zeroGrad();
        model.namedBuffers().forEach((k, v) -> {
            TensorSnapshot mean = total.mean(RoundTask.MODEL + k, globalBatch);
            if (mean != null) v.assign(mean.toNDArray());
        });
    }

    /** Parameter averaging: parameters, buffers and optimiser state become their weighted means over the partitions. */
    private static void averageInto(Contribution total, Module model, Optimizer optimizer, int globalBatch) {
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (String key : model.stateDict().keySet()) {
            TensorSnapshot mean = total.mean(RoundTask.MODEL + key, globalBatch);
            if (mean == null) throw new IllegalStateException("SparkTrainer: no partition returned model entry '" + key + "'");
            state.put(key, mean.toNDArray());
        }
        model.loadStateDict(state);
        Optimizer.StateDict current = optimizer.stateDict();
        List<Map<String, NDArray>> perParam = new ArrayList<>();
        for (int i = 0; i < current.state().size(); i++) perParam.add(new LinkedHashMap<>());
        List<String> keys = new ArrayList<>(total.sums.keySet());
        keys.addAll(total.maxima.keySet());
        for (String key : keys) {
            if (!key.startsWith(RoundTask.OPTIM)) continue;
            String rest = key.substring(RoundTask.OPTIM.length());
            int slash = rest.indexOf('/');
            perParam.get(Integer.parseInt(rest.substring(0, slash))).put(rest.substring(slash + 1), total.mean(key, globalBatch).toNDArray());
        }
        optimizer.loadStateDict(new Optimizer.StateDict(perParam, current.paramGroups()));
    }

    private EpochMetrics endEpoch(int epoch, int lastEpoch, EpochTally tally, Module model, Optimizer optimizer, MetricsCsv csv) throws IOException {
        Evaluation val = validation == null ? null
                : Trainer.evaluate(model, DataLoader.builder(validation).batchSize(256).build(), lossFactory.create(), numClasses);
        double lr = optimizer.paramGroups().get(0).lr();
        EpochMetrics m = new EpochMetrics(epoch, tally.loss(), tally.accuracy(), val == null ? Double.NaN : val.loss(),
                val == null ? Double.NaN : val.accuracy(), lr, (System.nanoTime() - tally.startNanos) / 1e9);
        log.println(String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f  train acc %.2f%%%s  lr %.3g  %.1f s", epoch, lastEpoch,
                m.trainLoss(), 100 * m.trainAccuracy(),
                val == null ? "" : String.format(Locale.ROOT, "  val loss %.4f  val acc %.2f%%", m.validationLoss(), 100 * m.validationAccuracy()),
                lr, m.seconds()));
        if (csv != null) csv.append(m);
        return m;
    }

    /**
     * Counts each partition's examples and checks every example's shape before any training. The executors
     * report the first bad example instead of throwing, so the error reaches the caller as it was written
     * rather than inside a Spark stage failure.
     */
    private int[] countAndCheck(JavaRDD<TrainingExample> data) {
        int[] exampleShape = this.exampleShape;
        int exampleSize = 1;
        for (int s : exampleShape) exampleSize *= s;
        int size = exampleSize;
        List<PartitionCount> counts = data.mapPartitionsWithIndex((partition, it) -> {
            int n = 0;
            String problem = null;
            while (it.hasNext()) {
                TrainingExample e = it.next();
                if (problem == null) {
                    try {
                        ShardData.checkExample(e, partition, n, exampleShape, size);
                    } catch (IllegalArgumentException bad) {
                        problem = bad.getMessage();
                    }
                }
                n++;
            }
            return List.of(new PartitionCount(partition, n, problem)).iterator();
        }, false).collect();
        int[] sizes = new int[data.getNumPartitions()];
        for (PartitionCount c : counts) {
            if (c.problem() != null) throw new IllegalArgumentException(c.problem());
            sizes[c.partition()] = c.examples();
        }
        return sizes;
    }

    /** A partition's example count and its first bad example, if any. */
    private record PartitionCount(int partition, int examples, String problem) implements java.io.Serializable {
    }

    /** Steps done in the current epoch after {@code done} steps in all (a full epoch at its end). */
    private static int stepInEpoch(long done, int stepsPerEpoch) {
        int inEpoch = (int) (done % stepsPerEpoch);
        return inEpoch == 0 ? stepsPerEpoch : inEpoch;
    }

    private static int[] partitionSizes(ShardPlan plan) {
        int[] sizes = new int[plan.partitions()];
        for (int i = 0; i < sizes.length; i++) sizes[i] = plan.partitionSize(i);
        return sizes;
    }

    private static double[] toArray(List<Double> values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }

    /** Loss and accuracy over the steps of one epoch so far. */
    private static final class EpochTally {
        final long startNanos = System.nanoTime();
        double lossSum;
        long correct, examples;

        void add(double lossSum, long correct, long examples) {
            this.lossSum += lossSum;
            this.correct += correct;
            this.examples += examples;
        }

        double loss() {
            return examples == 0 ? Double.NaN : lossSum / examples;
        }

        double accuracy() {
            return examples == 0 ? Double.NaN : (double) correct / examples;
        }
    }

    /** Settings of a {@link SparkTrainer}. */
    public static final class Builder {
        private final TrainingSetup.ModelFactory model;
        private final TrainingSetup.OptimizerFactory optimizer;
        private TrainingSetup.LossFactory loss = CrossEntropyLoss::new;
        private int[] exampleShape;
        private int batchSize = 64;
        private int epochs = 1;
        private long rounds = 0;
        private int syncEvery = 1;
        private boolean shuffle = true;
        private long seed = 0;
        private String checkpointDir;
        private int checkpointEvery = 10;
        private boolean resume;
        private PrintStream log = System.out;
        private boolean interactive = false;
        private Path outputDirectory;
        private Dataset validation;
        private int numClasses = 10;
        private String architecture;
        private final Map<String, String> options = new LinkedHashMap<>();

        private Builder(TrainingSetup.ModelFactory model, TrainingSetup.OptimizerFactory optimizer) {
            if (model == null || optimizer == null) throw new IllegalArgumentException("SparkTrainer: model and optimizer factories are required");
            this.model = model;
            this.optimizer = optimizer;
        }

        public Builder loss(TrainingSetup.LossFactory loss) {
            this.loss = loss;
            return this;
        }

        /** The shape of one example ({@code 1, 28, 28} for digits); each {@link TrainingExample} has that many features. */
        public Builder exampleShape(int... shape) {
            for (int s : shape) if (s < 1) throw new IllegalArgumentException("SparkTrainer: example shape " + java.util.Arrays.toString(shape) + " has a size < 1");
            this.exampleShape = shape.clone();
            return this;
        }

        /** The global batch: examples per step over all partitions together. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) throw new IllegalArgumentException("SparkTrainer: batch size must be >= 1, got " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        public Builder epochs(int epochs) {
            if (epochs < 1) throw new IllegalArgumentException("SparkTrainer: epochs must be >= 1, got " + epochs);
            this.epochs = epochs;
            return this;
        }

        /** Train for exactly this many rounds instead of whole epochs. */
        public Builder rounds(long rounds) {
            if (rounds < 1) throw new IllegalArgumentException("SparkTrainer: rounds must be >= 1, got " + rounds);
            this.rounds = rounds;
            return this;
        }

        /** {@code K}: 1 averages gradients every step; more averages parameters and optimiser state every K local steps. */
        public Builder syncEvery(int k) {
            if (k < 1) throw new IllegalArgumentException("SparkTrainer: sync-every must be >= 1, got " + k);
            this.syncEvery = k;
            return this;
        }

        /** Whether each partition visits its examples in a new seeded order every epoch (default true). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** A checkpoint every {@code every} rounds (and after the last) under {@code dir}, any Hadoop file system URI. */
        public Builder checkpoints(String dir, int every) {
            if (every < 1) throw new IllegalArgumentException("SparkTrainer: checkpoint interval must be >= 1 round, got " + every);
            this.checkpointDir = dir;
            this.checkpointEvery = every;
            return this;
        }

        /** Continue from the newest checkpoint in the checkpoint directory, when there is one. */
        public Builder resume(boolean resume) {
            this.resume = resume;
            return this;
        }

        public Builder log(PrintStream log, boolean interactive) {
            this.log = log;
            this.interactive = interactive;
            return this;
        }

        /** Where metrics.csv goes on the driver (none when null). */
        public Builder outputDirectory(Path dir) {
            this.outputDirectory = dir;
            return this;
        }

        /** Data measured on the driver after every epoch (none when null). */
        public Builder validation(Dataset validation, int numClasses) {
            this.validation = validation;
            this.numClasses = numClasses;
            return this;
        }

        /** The architecture name and options recorded in checkpoints. */
        public Builder describe(String architecture, Map<String, String> options) {
            this.architecture = architecture;
            this.options.putAll(options);
            return this;
        }

        public SparkTrainer build() {
            if (exampleShape == null) throw new IllegalArgumentException("SparkTrainer: exampleShape is required (e.g. 1, 28, 28)");
            if (resume && checkpointDir == null) throw new IllegalArgumentException("SparkTrainer: resume needs a checkpoint directory");
            return new SparkTrainer(this);
        }
    }
}
