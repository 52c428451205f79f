package io.jgrad.cli;

import io.jgrad.data.CsvReader;
import io.jgrad.data.DataSources;
import io.jgrad.data.TensorDataset;
import io.jgrad.tensor.Backends;
import io.jgrad.tensor.spi.Backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The options shared by {@code train}, {@code eval} and {@code predict}: dataset, data directory, device. */
final class DataOptions {

    static final List<String> DATASETS = List.of("digits", "mnist", "fashion-mnist", "csv:PATH");
    static final List<String> DEVICES = List.of("auto", "cpu", "opencl", "cuda");

    /**
     * A dataset's train and test splits and its class count: the source's (10 for the MNIST-likes), or for a
     * CSV one more than the largest label in the whole file, so that a class found only in the test split is
     * still one of the model's outputs.
     */
    record Splits(TensorDataset train, TensorDataset test, int numClasses) {
    }

    private DataOptions() {
    }

    /** Loads {@code --dataset}; a CSV file is split 80/20 into train and test, seeded. */
    static Splits load(String dataset, Path dataDir, long seed) throws IOException {
        if (dataset.startsWith("csv:")) {
            Path file = Path.of(dataset.substring(4));
            if (!Files.isRegularFile(file)) throw new UsageError("--dataset " + dataset + ": no such file");
            TensorDataset all = new CsvReader().read(file);
            return splitCsv(dataset, all, seed);
        }
        if (!DataSources.names().contains(dataset)) {
            throw new UsageError("--dataset expects one of " + String.join("|", DATASETS) + ", got '" + dataset + "'");
        }
        var source = DataSources.named(dataset, dataDir);
        return new Splits(source.train(), source.test(), source.numClasses());
    }

    private static Splits splitCsv(String dataset, TensorDataset all, long seed) {
        var split = io.jgrad.data.Datasets.split(all, 0.2, seed);
        if (split.validation().size() == 0) {
            throw new UsageError("--dataset " + dataset + ": " + all.size() + " data rows leave no test examples (20% go to the test split); need at least 3");
        }
        return new Splits(io.jgrad.data.Datasets.materialise(split.train()), io.jgrad.data.Datasets.materialise(split.validation()), all.numClasses());
    }

    /** Opens and locks {@code --out} before anything else runs; what is wrong with it is a usage error. */
    static io.jgrad.train.RunDirectory outputDirectory(Path dir) {
        try {
            return io.jgrad.train.RunDirectory.open(dir);
        } catch (IOException e) {
            throw new UsageError("--out " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Makes {@code --device} the device of everything created from here on (model, data, optimiser state)
     * and returns the name of the backend that serves it. {@code auto} stays on the CPU: a GPU backend is
     * used only when asked for, so the default run is the same on every machine.
     */
    static String device(String device) {
        switch (device) {
            case "auto", "cpu" -> {
                return Backends.forDevice(io.jgrad.tensor.Device.CPU).name();
            }
            default -> {
                String causes = "";
                List<String> found = new ArrayList<>();
                for (Backends.Entry e : Backends.status()) {
                    found.add(e.name());
                    if (!e.kind().name().equalsIgnoreCase(device)) continue;
                    try {
                        Backends.use(e.name());   // starts it if nobody has yet
                        return e.name();
                    } catch (IllegalStateException unavailable) {
                        causes += " (" + e.name() + ": " + unavailable.getMessage() + ")";
                    }
                }
                if (causes.isEmpty()) causes = " (no backend named " + device + ": found " + found + ")";
                throw new UsageError("--device " + device + ": no " + device + " backend is available here" + causes + "; see 'jgrad info'");
            }
        }
    }
}
