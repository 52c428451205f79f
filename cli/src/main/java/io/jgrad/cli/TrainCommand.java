package io.jgrad.cli;

import io.jgrad.data.CsvReader;
import io.jgrad.data.DataLoader;
import io.jgrad.data.Dataset;
import io.jgrad.data.Datasets;
import io.jgrad.data.TensorDataset;
import io.jgrad.data.Transform;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.optimizers.ParamGroup;
import io.jgrad.train.BestCheckpoint;
import io.jgrad.train.RunDirectory;
import io.jgrad.train.CheckpointInfo;
import io.jgrad.train.Checkpoints;
import io.jgrad.train.EarlyStopping;
import io.jgrad.train.ScheduleStep;
import io.jgrad.optimizers.CosineAnnealingLR;
import io.jgrad.optimizers.StepLR;
import io.jgrad.train.Evaluation;
import io.jgrad.train.ProgressBar;
import io.jgrad.train.Trainer;
import io.jgrad.train.models.Models;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code jgrad train}: trains a built-in model on a dataset and reports its test accuracy. */
public final class TrainCommand {

    static final String USAGE = """
            usage: jgrad train [options]

            Trains a model, keeping 10% of the training split for validation, and ends with its accuracy on the
            dataset's test split. Writes metrics.csv, loss.png, accuracy.png, model.safetensors (PyTorch state_dict
            keys; optimizer state in model.optim-ID.safetensors) and best.safetensors to the output directory,
            which one run at a time may use (it is locked).

              --model mlp|cnn|lstm          network (default mlp)
              --dataset NAME                digits (embedded, default) | mnist | fashion-mnist | csv:PATH
              --data-dir DIR                where mnist or fashion-mnist files are (defaults: ~/.cache/jgrad/mnist,
                                            /usr/share/datasets/fashion-mnist)
              --epochs N                    epochs (default 5; 3 for cnn on mnist)
              --batch-size N                examples per step (default 64)
              --optimizer NAME              adam (default) | adamw | sgd | rmsprop | adagrad | adadelta | adamax | nadam | adabound
              --lr RATE                     learning rate (default depends on the optimizer: 1e-3 for adam)
              --weight-decay L              weight decay (default 0)
              --augment LIST                training augmentations: crop,rotate,shift,noise,hflip,vflip (default none)
              --normalize MEAN,STD|none     normalise inputs after /255 (recorded in the checkpoint; default
                                            0.1307,0.3081 on mnist, 0.2860,0.3530 on fashion-mnist, else none)
              --validation-split F          fraction of the training split held out for validation (default 0.1;
                                            0 trains on all of it, with no validation or best checkpoint)
              --schedule none|cosine|step   learning-rate schedule per epoch (default none, cosine for cnn on mnist;
                                            step halves every 2 epochs)
              --patience N                  stop when validation loss has not improved for N epochs
              --resume FILE                 continue from a checkpoint saved by this command (with its seed and
                                            validation split; --lr, when given, replaces its learning rate)
              --seed N                      seed for weights, shuffling, augmentation and the split (default 0)
              --device auto|cpu|opencl|cuda where to train (default auto)
              --out DIR                     output directory (default runs/MODEL-DATASET)
              --no-progress                 plain progress lines even on a terminal

            On a Spark cluster (data-parallel, synchronous; see docs/distributed.md and 'jgrad train --spark local[2] --help'):
              --spark MASTER                local[2] | spark://host:port: train there with the spark module's flags
              --sync-every K                1: average gradients every step (default); K > 1: average parameters every K steps""";

    private static final Set<String> OPTIONS = Set.of("--model", "--dataset", "--data-dir", "--epochs", "--batch-size", "--optimizer", "--lr",
            "--weight-decay", "--augment", "--normalize", "--validation-split", "--schedule", "--patience", "--resume", "--seed", "--device", "--out");

    private TrainCommand() {
    }

    public static int run(List<String> args, PrintStream out) throws Exception {
        if (SparkTraining.requested(args)) return SparkTraining.run(args, out);
        List<RunDirectory> held = new ArrayList<>(1);
        try {
            return train(args, out, held);
        } finally {
            for (RunDirectory d : held) d.close();
        }
    }

    /** The command; the output directory it locks goes to {@code held}, which {@link #run} releases. */
    private static int train(List<String> args, PrintStream out, List<RunDirectory> held) throws Exception {
        Flags f = new Flags(args, OPTIONS, Set.of("--no-progress"));
        if (f.help()) {
            out.println(USAGE);
            return 0;
        }
        if (!f.positional().isEmpty()) throw new UsageError("unexpected argument '" + f.positional().get(0) + "'");
        String modelName = f.choice("--model", "mlp", Models.NAMES);
        String dataset = f.string("--dataset", "digits");
        TrainRecipe recipe = TrainRecipe.of(modelName, dataset);
        int epochs = f.positiveInt("--epochs", recipe.epochs()), batchSize = f.positiveInt("--batch-size", 64);
        String optimizerName = f.choice("--optimizer", "adam", OptimizerChoice.NAMES);
        double lr = f.number("--lr", OptimizerChoice.defaultLr(optimizerName), 0, true);
        double weightDecay = f.number("--weight-decay", 0, 0, false);
        List<String> augment = Preprocessing.augmentations(f.string("--augment", null));
        double[] normalization = f.has("--normalize") ? Preprocessing.normalization(f.string("--normalize", null), "--normalize")
                : recipe.normalization();
        long seed = f.integer("--seed", 0);
        String device = f.choice("--device", "auto", DataOptions.DEVICES);
        Path dataDir = f.has("--data-dir") ? Path.of(f.string("--data-dir", null)) : null;
        Path outDir = Path.of(f.string("--out", "runs/" + modelName + "-" + dataset.replace(':', '-').replace('/', '_')));
        Integer patience = f.has("--patience") ? f.positiveInt("--patience", 1) : null;
        double validationSplit = f.number("--validation-split", 0.1, 0, false);
        if (validationSplit >= 1) throw new UsageError("--validation-split expects a fraction below 1, got " + validationSplit);
        String schedule = f.choice("--schedule", recipe.schedule(), List.of("none", "cosine", "step"));
        if (patience != null && validationSplit == 0) throw new UsageError("--patience needs validation data (--validation-split > 0)");
        Path resume = f.has("--resume") ? Path.of(f.string("--resume", null)) : null;
        CheckpointInfo resumed = null;
        if (resume != null) {
            if (!Files.isRegularFile(resume)) throw new UsageError("--resume " + resume + ": no such file");
            resumed = Checkpoints.readInfo(resume);
            if (resumed.architecture() != null && !resumed.architecture().equals(modelName)) {
                throw new UsageError("--resume " + resume + " holds a '" + resumed.architecture() + "' model, not '" + modelName + "'");
            }
            // The data must be split as the first part of the run split it, or validation examples become training ones.
            seed = resumedSetting(f, "--seed", seed, resumed.integerOption(CheckpointInfo.SEED, resume), resume).longValue();
            validationSplit = resumedSetting(f, "--validation-split", validationSplit, resumed.numberOption(CheckpointInfo.VALIDATION_SPLIT, resume), resume)
                    .doubleValue();
        }
        held.add(DataOptions.outputDirectory(outDir)); // checked and locked before any data is loaded or epoch trained

        String backend = DataOptions.device(device);
        Init.manualSeed(seed);
        DataOptions.Splits data = DataOptions.load(dataset, dataDir, seed);
        TensorDataset train = data.train();
        int numClasses = resumed == null ? data.numClasses() : resumed.numClasses(data.numClasses(), CsvReader.DEFAULT_MAX_CLASSES, resume);
        checkLabels(data, numClasses, dataset);
        Module model;
        try {
            model = Models.create(modelName, train.exampleShape(), numClasses);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        Optimizer optimizer = OptimizerChoice.build(optimizerName, model.parameters(), lr, weightDecay);
        int startEpoch = 0;
        if (resume != null) {
            CheckpointInfo info = Checkpoints.resume(resume, model, optimizer);
            startEpoch = info.epoch();
            out.println("resumed from " + resume + " after epoch " + startEpoch);
            // The restored optimiser brings its own learning rate; --lr, when given, overrides it.
            if (f.has("--lr")) {
                out.println(String.format(Locale.ROOT, "--lr %.3g replaces the checkpoint's learning rate %.3g", lr, optimizer.paramGroups().get(0).lr()));
                for (ParamGroup g : optimizer.paramGroups()) g.setLr(lr);
            }
            lr = optimizer.paramGroups().get(0).lr();
        }

        boolean image = train.exampleShape().length == 3;
        Transform trainTransform = Preprocessing.transform(augment, normalization, image);
        Transform evalTransform = Preprocessing.transform(List.of(), normalization, image);
        Datasets.Split split = Datasets.split(train, validationSplit, seed);
        if (split.train().size() == 0) {
            throw new UsageError("--validation-split " + validationSplit + " leaves no training examples (of " + train.size() + ")");
        }
        DataLoader trainLoader = loader(split.train(), batchSize, true, seed, trainTransform);
        DataLoader validationLoader = split.validation().size() == 0 ? null : loader(split.validation(), 256, false, seed, evalTransform);

        out.println(String.format(Locale.ROOT, "training %s on %s (%d train, %d validation, %d test examples), %s lr %.3g, batch %d, backend %s",
                modelName, dataset, split.train().size(), split.validation().size(), data.test().size(), optimizerName, lr, batchSize, backend));
        out.println(model.parameterCount() + " parameters");
        if (!recipe.describe().isEmpty()) out.println("recipe for " + modelName + " on " + dataset + ": " + recipe.describe() + " (flags override)");
        Map<String, String> options = new LinkedHashMap<>(Preprocessing.options(normalization));
        options.put(CheckpointInfo.SEED, Long.toString(seed));
        options.put(CheckpointInfo.VALIDATION_SPLIT, Double.toString(validationSplit));
        options.put(CheckpointInfo.NUM_CLASSES, Integer.toString(numClasses));
        Trainer.Builder tb = Trainer.builder(model, optimizer).epochs(epochs).startEpoch(startEpoch).numClasses(numClasses)
                .log(out, !f.has("--no-progress") && ProgressBar.stdoutIsTerminal()).outputDirectory(outDir).describe(modelName, options);
        if (validationLoader != null) {
            Path best = outDir.resolve("best.safetensors");
            tb.callback(resume != null ? BestCheckpoint.resuming(best, "val_accuracy", true) : new BestCheckpoint(best, "val_accuracy", true));
        }
        if (patience != null) tb.callback(new EarlyStopping("val_loss", false, patience, 0));
        switch (schedule) {
            case "cosine" -> tb.callback(new ScheduleStep(new CosineAnnealingLR(optimizer, epochs)));
            case "step" -> tb.callback(new ScheduleStep(new StepLR(optimizer, 2, 0.5)));
            default -> { }
        }
        Trainer trainer = tb.build();
        Trainer.Result result = trainer.fit(trainLoader, validationLoader);
        if (result.outcome() == Trainer.Outcome.STOPPED_NON_FINITE_LOSS) return 1;
        int lastEpoch = result.last() == null ? startEpoch : result.last().epoch();
        Checkpoints.save(outDir.resolve("model.safetensors"), model, optimizer, trainer.checkpointInfo(lastEpoch,
                result.last() == null ? Map.of() : Map.of("val_accuracy", result.last().validationAccuracy())));

        Evaluation test = Trainer.evaluate(model, loader(data.test(), 256, false, seed, evalTransform), new CrossEntropyLoss(), numClasses);
        EvalCommand.report(out, test, outDir);
        return 0;
    }

    /** {@code saved} (what the resumed checkpoint recorded) unless absent; a different explicit flag is refused. */
    private static Number resumedSetting(Flags f, String flag, Number value, Number saved, Path resume) {
        if (saved == null) return value;
        if (f.has(flag) && saved.doubleValue() != value.doubleValue()) {
            throw new UsageError(flag + " " + value + " differs from the " + saved + " that --resume " + resume + " was trained with"
                    + " (the data would be split differently)");
        }
        return saved;
    }

    /** Every label of both splits must be one of the model's classes (a CSV class seen only in the test split crashed after training). */
    static void checkLabels(DataOptions.Splits data, int numClasses, String dataset) {
        try {
            Datasets.checkLabels(data.train(), numClasses, dataset + " train split");
            Datasets.checkLabels(data.test(), numClasses, dataset + " test split");
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    static DataLoader loader(Dataset dataset, int batchSize, boolean shuffle, long seed, Transform transform) {
        DataLoader.Builder b = DataLoader.builder(dataset).batchSize(batchSize).shuffle(shuffle).seed(seed);
        if (transform != null) b.transform(transform);
        return b.build();
    }
}
