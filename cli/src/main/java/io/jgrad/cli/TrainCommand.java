package io.jgrad.cli;

import io.jgrad.data.DataLoader;
import io.jgrad.data.Dataset;
import io.jgrad.data.Datasets;
import io.jgrad.data.TensorDataset;
import io.jgrad.data.Transform;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.train.BestCheckpoint;
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
import java.nio.file.Path;
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
            keys; optimizer state in model.optim.safetensors) and best.safetensors to the output directory.

              --model mlp|cnn|lstm          network (default mlp)
              --dataset NAME                digits (embedded, default) | mnist | fashion-mnist | csv:PATH
              --data-dir DIR                where mnist or fashion-mnist files are (defaults: ~/.cache/jgrad/mnist,
                                            /usr/share/datasets/fashion-mnist)
              --epochs N                    epochs (default 5)
              --batch-size N                examples per step (default 64)
              --optimizer NAME              adam (default) | adamw | sgd | rmsprop | adagrad | adadelta | adamax | nadam | adabound
              --lr RATE                     learning rate (default depends on the optimizer: 1e-3 for adam)
              --weight-decay L              weight decay (default 0)
              --augment LIST                training augmentations: crop,rotate,shift,noise,hflip,vflip (default none)
              --normalize MEAN,STD          normalise inputs after /255 (recorded in the checkpoint)
              --validation-split F          fraction of the training split held out for validation (default 0.1;
                                            0 trains on all of it, with no validation or best checkpoint)
              --schedule none|cosine|step   learning-rate schedule per epoch (default none; step halves every 2 epochs)
              --patience N                  stop when validation loss has not improved for N epochs
              --resume FILE                 continue from a checkpoint saved by this command
              --seed N                      seed for weights, shuffling, augmentation and the split (default 0)
              --device auto|cpu|opencl|cuda where to train (default auto)
              --out DIR                     output directory (default runs/MODEL-DATASET)
              --no-progress                 plain progress lines even on a terminal""";

    private static final Set<String> OPTIONS = Set.of("--model", "--dataset", "--data-dir", "--epochs", "--batch-size", "--optimizer", "--lr",
            "--weight-decay", "--augment", "--normalize", "--validation-split", "--schedule", "--patience", "--resume", "--seed", "--device", "--out");

    private TrainCommand() {
    }

    public static int run(List<String> args, PrintStream out) throws Exception {
        Flags f = new Flags(args, OPTIONS, Set.of("--no-progress"));
        if (f.help()) {
            out.println(USAGE);
            return 0;
        }
        if (!f.positional().isEmpty()) throw new UsageError("unexpected argument '" + f.positional().get(0) + "'");
        String modelName = f.choice("--model", "mlp", Models.NAMES);
        String dataset = f.string("--dataset", "digits");
        int epochs = f.positiveInt("--epochs", 5), batchSize = f.positiveInt("--batch-size", 64);
        String optimizerName = f.choice("--optimizer", "adam", OptimizerChoice.NAMES);
        double lr = f.number("--lr", OptimizerChoice.defaultLr(optimizerName), 0, true);
        double weightDecay = f.number("--weight-decay", 0, 0, false);
        List<String> augment = Preprocessing.augmentations(f.string("--augment", null));
        double[] normalization = Preprocessing.normalization(f.string("--normalize", null), "--normalize");
        long seed = f.integer("--seed", 0);
        String device = f.choice("--device", "auto", DataOptions.DEVICES);
        Path dataDir = f.has("--data-dir") ? Path.of(f.string("--data-dir", null)) : null;
        Path outDir = Path.of(f.string("--out", "runs/" + modelName + "-" + dataset.replace(':', '-').replace('/', '_')));
        Integer patience = f.has("--patience") ? f.positiveInt("--patience", 1) : null;
        double validationSplit = f.number("--validation-split", 0.1, 0, false);
        if (validationSplit >= 1) throw new UsageError("--validation-split expects a fraction below 1, got " + validationSplit);
        String schedule = f.choice("--schedule", "none", List.of("none", "cosine", "step"));
        if (patience != null && validationSplit == 0) throw new UsageError("--patience needs validation data (--validation-split > 0)");
        Path resume = f.has("--resume") ? Path.of(f.string("--resume", null)) : null;

        String backend = DataOptions.device(device);
        Init.manualSeed(seed);
        DataOptions.Splits data = DataOptions.load(dataset, dataDir, seed);
        TensorDataset train = data.train();
        Module model;
        try {
            model = Models.create(modelName, train.exampleShape(), train.numClasses());
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        Optimizer optimizer = OptimizerChoice.build(optimizerName, model.parameters(), lr, weightDecay);
        int startEpoch = 0;
        if (resume != null) {
            CheckpointInfo info = Checkpoints.resume(resume, model, optimizer);
            if (info.architecture() != null && !info.architecture().equals(modelName)) {
                throw new UsageError("--resume " + resume + " holds a '" + info.architecture() + "' model, not '" + modelName + "'");
            }
            startEpoch = info.epoch();
            out.println("resumed from " + resume + " after epoch " + startEpoch);
        }

        boolean image = train.exampleShape().length == 3;
        Transform trainTransform = Preprocessing.transform(augment, normalization, image);
        Transform evalTransform = Preprocessing.transform(List.of(), normalization, image);
        Datasets.Split split = Datasets.split(train, validationSplit, seed);
        DataLoader trainLoader = loader(split.train(), batchSize, true, seed, trainTransform);
        DataLoader validationLoader = split.validation().size() == 0 ? null : loader(split.validation(), 256, false, seed, evalTransform);

        out.println(String.format(Locale.ROOT, "training %s on %s (%d train, %d validation, %d test examples), %s lr %.3g, batch %d, backend %s",
                modelName, dataset, split.train().size(), split.validation().size(), data.test().size(), optimizerName, lr, batchSize, backend));
        out.println(model.parameterCount() + " parameters");
        Map<String, String> options = Preprocessing.options(normalization);
        Trainer.Builder tb = Trainer.builder(model, optimizer).epochs(epochs).startEpoch(startEpoch).numClasses(train.numClasses())
                .log(out, !f.has("--no-progress") && ProgressBar.stdoutIsTerminal()).outputDirectory(outDir).describe(modelName, options);
        if (validationLoader != null) tb.callback(new BestCheckpoint(outDir.resolve("best.safetensors"), "val_accuracy", true));
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

        Evaluation test = Trainer.evaluate(model, loader(data.test(), 256, false, seed, evalTransform), new CrossEntropyLoss(), train.numClasses());
        EvalCommand.report(out, test, outDir);
        return 0;
    }

    static DataLoader loader(Dataset dataset, int batchSize, boolean shuffle, long seed, Transform transform) {
        DataLoader.Builder b = DataLoader.builder(dataset).batchSize(batchSize).shuffle(shuffle).seed(seed);
        if (transform != null) b.transform(transform);
        return b.build();
    }
}
