package io.jgrad.examples;

import io.jgrad.data.DataLoader;
import io.jgrad.data.DataSource;
import io.jgrad.data.DataSources;
import io.jgrad.data.Dataset;
import io.jgrad.data.DatasetNotFoundException;
import io.jgrad.data.Datasets;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.train.BestCheckpoint;
import io.jgrad.train.Evaluation;
import io.jgrad.train.ProgressBar;
import io.jgrad.train.Trainer;
import io.jgrad.train.models.MnistCnn;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The reference ConvNet ({@link MnistCnn}: two 3x3 convolutions with ReLU and max-pooling, then two linear
 * layers) trained with Adam (lr 1e-3, batch 128) through {@link Trainer}: the example to copy for training a
 * classifier of your own. Keeps 10% of the training images for validation, saves the best model, and ends
 * with the accuracy on the test split.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp examples/target/jgrad-examples.jar io.jgrad.examples.MnistConvNet [digits|mnist|fashion-mnist] [EPOCHS]
 * </pre>
 */
public final class MnistConvNet {

    private MnistConvNet() {
    }

    /** What a run measured: every epoch, and the test split at the end. */
    public record Outcome(Trainer.Result training, Evaluation test) {
    }

    public static void main(String[] args) throws Exception {
        String dataset = args.length > 0 ? args[0] : "digits";
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try {
            run(dataset, epochs, Integer.MAX_VALUE, 128, Path.of("runs", "convnet-" + dataset), System.out);
        } catch (DatasetNotFoundException e) {
            System.err.println(e.getMessage()); // says how to get the dataset
            System.exit(2);
        }
    }

    /**
     * Trains for {@code epochs} on at most {@code limit} training images (and tests on at most as many test
     * images), writing metrics.csv, loss.png, accuracy.png and best.safetensors to {@code outDir}.
     */
    public static Outcome run(String dataset, int epochs, int limit, int batchSize, Path outDir, PrintStream out) throws Exception {
        DataSource source = DataSources.named(dataset, null);
        Dataset train = Datasets.first(source.train(), limit), test = Datasets.first(source.test(), limit);
        Datasets.Split split = Datasets.split(train, 0.1, 0);
        DataLoader trainLoader = DataLoader.builder(split.train()).batchSize(batchSize).shuffle(true).seed(0).build();
        DataLoader validationLoader = DataLoader.builder(split.validation()).batchSize(256).build();

        Init.manualSeed(0); // the same initial weights on every run
        Module model = new MnistCnn();
        Optimizer optimizer = Adam.builder().lr(1e-3).build(model.parameters());
        Trainer trainer = Trainer.builder(model, optimizer)
                .epochs(epochs)
                .log(out, out == System.out && ProgressBar.stdoutIsTerminal())
                .outputDirectory(outDir)
                .describe("cnn", Map.of()) // so that 'jgrad eval --checkpoint .../best.safetensors' knows the model
                .callback(new BestCheckpoint(outDir.resolve("best.safetensors"), "val_accuracy", true))
                .build();
        out.println(String.format(Locale.ROOT, "ConvNet (%d parameters) on %s: %d train, %d validation, %d test images", model.parameterCount(),
                dataset, split.train().size(), split.validation().size(), test.size()));
        Trainer.Result result = trainer.fit(trainLoader, validationLoader);

        Evaluation evaluation = Trainer.evaluate(model, DataLoader.builder(test).batchSize(256).build(), new CrossEntropyLoss(), 10);
        out.println(String.format(Locale.ROOT, "test accuracy: %.2f%%", 100 * evaluation.accuracy()));
        return new Outcome(result, evaluation);
    }
}
