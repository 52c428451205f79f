package io.jgrad.spark;

import io.jgrad.data.DataLoader;
import io.jgrad.data.DataSource;
import io.jgrad.data.DataSources;
import io.jgrad.data.Datasets;
import io.jgrad.data.TensorDataset;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.tensor.NDArray;
import io.jgrad.train.CheckpointInfo;
import io.jgrad.train.Checkpoints;
import io.jgrad.train.EpochMetrics;
import io.jgrad.train.Evaluation;
import io.jgrad.train.LineChart;
import io.jgrad.train.ProgressBar;
import io.jgrad.train.Trainer;
import io.jgrad.train.models.Models;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code jgrad train --spark MASTER} and the main class for {@code spark-submit}: trains a built-in model on a
 * built-in dataset with {@link SparkTrainer}, then writes the model, the metrics and a fingerprint of the
 * weights on the driver and reports the test accuracy.
 *
 * <pre>
 * spark-submit --master spark://HOST:7077 --class io.jgrad.spark.SparkTrain spark/target/jgrad-spark-app.jar --epochs 3 --sync-every 1
 * </pre>
 */
public final class SparkTrain {

    static final String USAGE = """
            usage: SparkTrain [options]      (spark-submit --class io.jgrad.spark.SparkTrain ..., or jgrad train --spark MASTER ...)

            Trains a model with synchronous data parallelism on Spark: each round broadcasts the model, every partition
            works on its shard, the results are summed with a tree aggregation and applied on the driver. Keeps 10% of
            the training split for validation and ends with the accuracy on the test split. Writes metrics.csv,
            loss.png, accuracy.png, model.safetensors (+ model.optim.safetensors) and weights.sha256 to --out.

              --master URL                  local[2] | spark://host:port (default: what spark-submit set)
              --model mlp|cnn|lstm          network (default mlp)
              --dataset NAME                digits (embedded, default) | mnist | fashion-mnist; every executor reads it
              --data-dir DIR                where mnist or fashion-mnist files are on every node
              --epochs N                    epochs (default 5)
              --rounds N                    train exactly N rounds instead of whole epochs
              --batch-size N                global batch: examples per step over all partitions (default 64)
              --partitions N                shards of the training set (default: Spark's default parallelism)
              --sync-every K                1: average gradients every step, the same as one machine with the global
                                            batch (default); K > 1: average parameters and optimizer state every K steps
              --optimizer NAME              adam (default) | adamw | sgd | rmsprop | adagrad | adadelta | adamax | nadam | adabound
              --lr RATE                     learning rate (default depends on the optimizer: 1e-3 for adam)
              --weight-decay L              weight decay (default 0)
              --validation-split F          fraction held out for validation (default 0.1; 0 for none)
              --seed N                      seed for weights, shard order and the split (default 0)
              --out DIR                     output directory on the driver (default runs/spark-MODEL-DATASET)
              --checkpoint-dir URI          checkpoints, any Hadoop file system (default OUT/checkpoints)
              --checkpoint-every N          a checkpoint every N rounds (default 50) and after the last
              --resume                      continue from the newest checkpoint in --checkpoint-dir
              --no-progress                 plain progress lines even on a terminal""";

    private static final Set<String> OPTIONS = Set.of("--master", "--model", "--dataset", "--data-dir", "--epochs", "--rounds", "--batch-size",
            "--partitions", "--sync-every", "--optimizer", "--lr", "--weight-decay", "--validation-split", "--seed", "--out", "--checkpoint-dir",
            "--checkpoint-every");
    private static final Set<String> SWITCHES = Set.of("--resume", "--no-progress", "--help");

    private SparkTrain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(List.of(args), System.out));
    }

    /**
     * Runs with command-line {@code args}, printing to {@code out}. Returns 0 when training completed, 1 when the
     * loss stopped being finite, 2 for a usage error (the message and the usage are printed).
     */
    public static int run(List<String> args, PrintStream out) throws Exception {
        Settings s;
        try {
            SparkTrainOptions f = new SparkTrainOptions(args, OPTIONS, SWITCHES);
            if (f.has("--help")) {
                out.println(USAGE);
                return 0;
            }
            s = Settings.parse(f);
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            out.println();
            out.println(USAGE);
            return 2;
        }
        return train(s, out);
    }

    /** The parsed command line. */
    private record Settings(String master, String model, String dataset, String dataDir, int epochs, long rounds, int batchSize, int partitions,
                            int syncEvery, String optimizer, double lr, double weightDecay, double validationSplit, long seed, Path out,
                            String checkpointDir, int checkpointEvery, boolean resume, boolean progress) {

        static Settings parse(SparkTrainOptions f) {
            if (!f.positional().isEmpty()) throw new IllegalArgumentException("unexpected argument '" + f.positional().get(0) + "'");
            String model = f.choice("--model", "mlp", Models.NAMES);
            String dataset = f.choice("--dataset", "digits", DataSources.names());
            String optimizer = f.choice("--optimizer", "adam", OptimizerNames.NAMES);
            double validationSplit = f.number("--validation-split", 0.1, 0, false);
            if (validationSplit >= 1) throw new IllegalArgumentException("--validation-split expects a fraction below 1, got " + validationSplit);
            Path out = Path.of(f.string("--out", "runs/spark-" + model + "-" + dataset));
            if (!f.has("--master") && System.getProperty("spark.master") == null) {
                throw new IllegalArgumentException("no Spark master: pass --master local[2] or spark://HOST:PORT, or run through spark-submit");
            }
            String checkpointDir = f.string("--checkpoint-dir", out.resolve("checkpoints").toAbsolutePath().toUri().toString());
            return new Settings(f.string("--master", null), model, dataset, f.string("--data-dir", null), f.positiveInt("--epochs", 5),
                    f.has("--rounds") ? f.positiveInt("--rounds", 1) : 0, f.positiveInt("--batch-size", 64),
                    f.has("--partitions") ? f.positiveInt("--partitions", 1) : 0, f.positiveInt("--sync-every", 1), optimizer,
                    f.number("--lr", OptimizerNames.defaultLr(optimizer), 0, true), f.number("--weight-decay", 0, 0, false), validationSplit,
                    f.integer("--seed", 0), out, checkpointDir, f.positiveInt("--checkpoint-every", 50), f.has("--resume"), !f.has("--no-progress"));
        }
    }

    private static int train(Settings s, PrintStream out) throws Exception {
        DataSource source = DataSources.named(s.dataset(), s.dataDir() == null ? null : Path.of(s.dataDir()));
        TensorDataset train = source.train();
        Datasets.Split split = Datasets.split(train, s.validationSplit(), s.seed());
        int[] shape = train.exampleShape();
        int classes = train.numClasses();
        String modelName = s.model(), dataset = s.dataset(), dataDir = s.dataDir();
        long seed = s.seed();
        double validationSplit = s.validationSplit();
        try {
            Models.create(modelName, shape, classes);
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            return 2;
        }
        // Serialisable factories: they run on the driver and on every executor.
        TrainingSetup.ModelFactory model = () -> {
            Init.manualSeed(seed);
            return Models.create(modelName, shape, classes);
        };
        TrainingExamples.DatasetLoader loader = () -> Datasets.split(
                DataSources.named(dataset, dataDir == null ? null : Path.of(dataDir)).train(), validationSplit, seed).train();

        try (JavaSparkContext sc = new JavaSparkContext(sparkConf(s.master()))) {
            int partitions = s.partitions() > 0 ? s.partitions() : sc.defaultParallelism();
            out.println(String.format(Locale.ROOT, "training %s on %s (%d train, %d validation, %d test examples) on Spark %s (%s), %s lr %.3g, "
                    + "global batch %d", modelName, dataset, split.train().size(), split.validation().size(), source.test().size(), sc.version(),
                    sc.master(), s.optimizer(), s.lr(), s.batchSize()));
            SparkTrainer.Builder b = SparkTrainer.builder(model, OptimizerNames.factory(s.optimizer(), s.lr(), s.weightDecay()))
                    .exampleShape(shape).batchSize(s.batchSize()).epochs(s.epochs()).syncEvery(s.syncEvery()).seed(seed)
                    .checkpoints(s.checkpointDir(), s.checkpointEvery()).resume(s.resume())
                    .log(out, s.progress() && ProgressBar.stdoutIsTerminal()).outputDirectory(s.out())
                    .describe(modelName, Map.of());
            if (s.rounds() > 0) b.rounds(s.rounds());
            if (split.validation().size() > 0) b.validation(split.validation(), classes);
            SparkTrainer.Result result = b.build().fit(TrainingExamples.rdd(sc, loader, partitions));
            writePlots(result.epochs(), s.out());
            Checkpoints.save(s.out().resolve("model.safetensors"), result.model(), result.optimizer(),
                    new CheckpointInfo(modelName, result.epochs().isEmpty() ? 0 : result.epochs().get(result.epochs().size() - 1).epoch(), Map.of(), Map.of()));
            String fingerprint = fingerprint(result.model());
            Files.writeString(s.out().resolve("weights.sha256"), fingerprint + "  model.safetensors (tensor values)\n");
            Evaluation test = Trainer.evaluate(result.model(), DataLoader.builder(source.test()).batchSize(256).build(), new CrossEntropyLoss(), classes);
            out.println(String.format(Locale.ROOT, "test accuracy %.2f%%  test loss %.4f  (%d test examples)", 100 * test.accuracy(), test.loss(),
                    source.test().size()));
            out.println("weights sha256 " + fingerprint + "; wrote " + s.out().resolve("model.safetensors"));
            return result.completed() ? 0 : 1;
        }
    }

    /**
     * The Spark configuration: the master from {@code --master} or from spark-submit. Outside spark-submit, a
     * cluster needs the application's classes: the jgrad jars on this JVM's class path are shipped as
     * {@code spark.jars} (without them tasks fail with a misleading ClassCastException about SerializedLambda).
     */
    static SparkConf sparkConf(String master) {
        SparkConf conf = new SparkConf().setAppName("jgrad train");
        if (master != null) conf.setMaster(master);
        if (!conf.get("spark.master", "local").startsWith("local") && !conf.contains("spark.jars")) {
            List<String> jars = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                String name = Path.of(entry).getFileName().toString();
                if (name.startsWith("jgrad") && name.endsWith(".jar")) jars.add(Path.of(entry).toAbsolutePath().toString());
            }
            if (jars.isEmpty()) {
                throw new IllegalArgumentException("the jgrad classes are not in jars on the class path, so they cannot be shipped to the cluster; "
                        + "build them with mvn package or set spark.jars");
            }
            conf.set("spark.jars", String.join(",", jars));
        }
        return conf;
    }

    /** SHA-256 over every state-dict entry's name, shape and values: equal for equal weights, whatever the file's metadata. */
    static String fingerprint(Module model) throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Map.Entry<String, NDArray> e : model.stateDict().entrySet()) {
            sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            sha.update(Arrays.toString(e.getValue().shape()).getBytes(StandardCharsets.UTF_8));
            float[] values = e.getValue().to(io.jgrad.tensor.DType.FLOAT32).toFloatArray();
            ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) bytes.putFloat(v);
            sha.update(bytes.array());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void writePlots(List<EpochMetrics> epochs, Path dir) throws IOException {
        String[] metrics = {"train_loss", "val_loss", "train_accuracy", "val_accuracy"};
        double[][] series = new double[metrics.length][epochs.size()];
        for (int i = 0; i < epochs.size(); i++) {
            for (int m = 0; m < metrics.length; m++) series[m][i] = epochs.get(i).get(metrics[m]) * (m >= 2 ? 100 : 1);
        }
        Files.createDirectories(dir);
        new LineChart("loss per epoch", "loss").add("train", series[0]).add("validation", series[1]).write(dir.resolve("loss.png"));
        new LineChart("accuracy per epoch", "accuracy (%)").add("train", series[2]).add("validation", series[3]).write(dir.resolve("accuracy.png"));
    }
}
