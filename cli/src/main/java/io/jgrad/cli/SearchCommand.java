package io.jgrad.cli;

import io.jgrad.data.Dataset;
import io.jgrad.data.Datasets;
import io.jgrad.data.TensorDataset;
import io.jgrad.train.HyperparameterSearch;
import io.jgrad.train.SearchResults;
import io.jgrad.train.models.Models;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code jgrad search}: hyperparameter search with a short training per trial, ranked by validation accuracy. */
public final class SearchCommand {

    static final String USAGE = """
            usage: jgrad search [options]

            Trains one model per combination of hyperparameters for a few epochs on 90% of the dataset's training
            split and ranks the trials by their accuracy on the other 10% (the test split is left alone). Every
            trial starts from the same initial weights. Ends with a table of the trials, best first, and the best.

              --model mlp|cnn|lstm     network (default mlp)
              --dataset NAME           digits (embedded, default) | mnist | fashion-mnist | csv:PATH
              --data-dir DIR           where mnist or fashion-mnist files are
              --epochs N               epochs per trial (default 1)
              --grid                   every combination of the lists below (the default)
              --trials N               N random combinations instead: the learning rate log-uniform between the
                                       smallest and largest --lr value, the others drawn from their lists
              --lr LIST                learning rates (default 3e-4,1e-3,3e-3)
              --batch-size LIST        batch sizes (default 64)
              --optimizer LIST         optimizers: adam, adamw, sgd, rmsprop, ... as for 'jgrad train' (default adam)
              --weight-decay LIST      weight decays (default 0)
              --limit N                use only the first N examples of the training split (a quick search)
              --seed N                 seed for the weights, shuffling, the split and random trials (default 0)""";

    private static final Set<String> OPTIONS = Set.of("--model", "--dataset", "--data-dir", "--epochs", "--trials", "--lr", "--batch-size",
            "--optimizer", "--weight-decay", "--limit", "--seed");

    private SearchCommand() {
    }

    public static int run(List<String> args, PrintStream out) throws Exception {
        Flags f = new Flags(args, OPTIONS, Set.of("--grid"));
        if (f.help()) {
            out.println(USAGE);
            return 0;
        }
        if (!f.positional().isEmpty()) throw new UsageError("unexpected argument '" + f.positional().get(0) + "'");
        if (f.has("--grid") && f.has("--trials")) throw new UsageError("--grid and --trials N exclude each other");
        String modelName = f.choice("--model", "mlp", Models.NAMES);
        String dataset = f.string("--dataset", "digits");
        Path dataDir = f.has("--data-dir") ? Path.of(f.string("--data-dir", null)) : null;
        int epochs = f.positiveInt("--epochs", 1);
        List<Double> lrs = f.numbers("--lr", "3e-4,1e-3,3e-3", 0, true);
        List<Integer> batchSizes = f.positiveInts("--batch-size", "64");
        List<String> optimizers = f.choices("--optimizer", "adam", OptimizerChoice.NAMES);
        List<Double> weightDecays = f.numbers("--weight-decay", "0", 0, false);
        long seed = f.integer("--seed", 0);
        List<HyperparameterSearch.Trial> trials;
        try {
            trials = f.has("--trials")
                    ? HyperparameterSearch.random(f.positiveInt("--trials", 1), Collections.min(lrs), Collections.max(lrs), batchSizes, optimizers, weightDecays, seed)
                    : HyperparameterSearch.grid(lrs, batchSizes, optimizers, weightDecays);
        } catch (IllegalArgumentException e) {
            throw new UsageError((f.has("--trials") ? "--trials " + f.string("--trials", null) + ": " : "") + e.getMessage());
        }

        DataOptions.Splits data = DataOptions.load(dataset, dataDir, seed);
        TensorDataset all = data.train();
        Dataset train = all;
        if (f.has("--limit")) train = Datasets.first(all, f.positiveInt("--limit", 1));
        Datasets.Split split = Datasets.split(train, 0.1, seed);
        if (split.validation().size() == 0) throw new UsageError("--limit " + train.size() + " leaves no validation examples; use at least 5");
        try {
            Models.create(modelName, all.exampleShape(), data.numClasses()); // a dataset the model cannot take is a usage error, before any trial
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }

        out.println(String.format(Locale.ROOT, "%s search, %d trials of %s on %s (%d train, %d validation examples), %d epoch%s each",
                f.has("--trials") ? "random" : "grid", trials.size(), modelName, dataset, split.train().size(), split.validation().size(),
                epochs, epochs == 1 ? "" : "s"));
        SearchResults results = HyperparameterSearch.builder(() -> Models.create(modelName, all.exampleShape(), data.numClasses()),
                        OptimizerChoice::build, split.train(), split.validation())
                .epochs(epochs).numClasses(data.numClasses()).seed(seed).log(out).build().run(trials);
        out.print(results.formatTable());
        SearchResults.Entry best = results.best();
        out.println(best.diverged() ? "every trial diverged; try lower learning rates"
                : String.format(Locale.ROOT, "best: %s (val acc %.2f%%)", SearchResults.describe(best.trial()), 100 * best.validationAccuracy()));
        return 0;
    }
}
