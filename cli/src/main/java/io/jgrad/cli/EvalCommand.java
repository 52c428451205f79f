package io.jgrad.cli;

import io.jgrad.data.CsvReader;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.train.CheckpointInfo;
import io.jgrad.train.Checkpoints;
import io.jgrad.train.Evaluation;
import io.jgrad.train.Trainer;
import io.jgrad.train.models.Models;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code jgrad eval}: a checkpoint's accuracy on a dataset's test split. */
public final class EvalCommand {

    static final String USAGE = """
            usage: jgrad eval --checkpoint FILE [options]

            Loads a model checkpoint (from 'jgrad train', or a PyTorch state_dict saved with safetensors) and
            reports its loss, per-class precision/recall/F1 and accuracy on the dataset's test split.

              --checkpoint FILE      the .safetensors model file (required)
              --model mlp|cnn|lstm   the architecture (default: the one recorded in the checkpoint, else mlp)
              --dataset NAME         digits (default) | mnist | fashion-mnist | csv:PATH
              --data-dir DIR         where mnist or fashion-mnist files are
              --batch-size N         examples per batch (default 256)
              --normalize MEAN,STD   normalisation for checkpoints that do not record one""";

    private EvalCommand() {
    }

    public static int run(List<String> args, PrintStream out) throws Exception {
        Flags f = new Flags(args, Set.of("--checkpoint", "--model", "--dataset", "--data-dir", "--batch-size", "--normalize"), Set.of());
        if (f.help()) {
            out.println(USAGE);
            return 0;
        }
        if (!f.positional().isEmpty()) throw new UsageError("unexpected argument '" + f.positional().get(0) + "'");
        if (!f.has("--checkpoint")) throw new UsageError("--checkpoint FILE is required");
        Path checkpoint = Path.of(f.string("--checkpoint", null));
        if (!Files.isRegularFile(checkpoint)) throw new UsageError("--checkpoint " + checkpoint + ": no such file");
        String dataset = f.string("--dataset", "digits");
        Path dataDir = f.has("--data-dir") ? Path.of(f.string("--data-dir", null)) : null;
        int batchSize = f.positiveInt("--batch-size", 256);

        CheckpointInfo info = Checkpoints.readInfo(checkpoint);
        String modelName = modelName(f, info, checkpoint);
        double[] normalization = Preprocessing.normalization(info, checkpoint, f.string("--normalize", null));

        // The training seed chose a CSV's test split: with another seed the "test" examples would be mostly training ones.
        Long seed = info.integerOption(CheckpointInfo.SEED, checkpoint);
        DataOptions.Splits data = DataOptions.load(dataset, dataDir, seed == null ? 0 : seed);
        int numClasses = info.numClasses(data.numClasses(), CsvReader.DEFAULT_MAX_CLASSES, checkpoint);
        TrainCommand.checkLabels(data, numClasses, dataset);
        Init.manualSeed(0);
        Module model;
        try {
            model = Models.create(modelName, data.test().exampleShape(), numClasses);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        Checkpoints.load(checkpoint, model);
        var transform = Preprocessing.transform(List.of(), normalization, data.test().exampleShape().length == 3);
        Evaluation test = Trainer.evaluate(model, TrainCommand.loader(data.test(), batchSize, false, 0, transform), new CrossEntropyLoss(), numClasses);
        out.println(String.format(Locale.ROOT, "%s on %s test split (%d examples), checkpoint %s", modelName, dataset, data.test().size(), checkpoint));
        report(out, test, null);
        return 0;
    }

    /** {@code --model}, by default the checkpoint's architecture; one that contradicts the checkpoint is refused. */
    static String modelName(Flags f, CheckpointInfo info, Path checkpoint) {
        String modelName = f.choice("--model", info.architecture() != null ? info.architecture() : "mlp", Models.NAMES);
        if (info.architecture() != null && !info.architecture().equals(modelName)) {
            throw new UsageError("--checkpoint " + checkpoint + " holds a '" + info.architecture() + "' model, not '" + modelName + "'");
        }
        return modelName;
    }

    /** The evaluation summary; the last line is {@code test accuracy: NN.NN%}. */
    static void report(PrintStream out, Evaluation test, Path outDir) throws java.io.IOException {
        out.print(test.confusion().format());
        out.println(String.format(Locale.ROOT, "test loss %.4f, macro precision %.4f, recall %.4f, F1 %.4f", test.loss(),
                test.confusion().macroPrecision(), test.confusion().macroRecall(), test.confusion().macroF1()));
        if (outDir != null) out.println("outputs in " + outDir);
        out.println(String.format(Locale.ROOT, "test accuracy: %.2f%%", 100 * test.accuracy()));
    }
}
