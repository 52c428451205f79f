package io.jgrad.cli;

import io.jgrad.data.DataSources;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The defaults {@code jgrad train} uses for a model and dataset that have a standard recipe; every flag given
 * on the command line wins over them. Full MNIST is normalised as torchvision's MNIST examples do (mean
 * 0.1307, standard deviation 0.3081 of the pixel values / 255), and the ConvNet trains 3 epochs with a cosine
 * schedule: with Adam 1e-3 and batch 64 that reaches 99% test accuracy for seeds 0, 1 and 2 (docs/BENCHMARKS.md,
 * "Training recipes"), where the plain defaults (5 epochs, no normalisation, constant rate) stop near 98.8%.
 *
 * @param epochs        default epoch count
 * @param normalization default {@code MEAN,STD}, or null for none
 * @param schedule      default learning-rate schedule
 */
record TrainRecipe(int epochs, double[] normalization, String schedule) {

    static final int EPOCHS = 5;
    static final String SCHEDULE = "none";

    /** The MNIST training split's pixel mean and standard deviation (after / 255), as in torchvision's examples. */
    static final double[] MNIST_NORMALIZATION = {DataSources.MNIST_MEAN, DataSources.MNIST_STD};
    /** The same statistics for Fashion-MNIST's training split. */
    static final double[] FASHION_MNIST_NORMALIZATION = {0.2860, 0.3530};

    static TrainRecipe of(String model, String dataset) {
        double[] normalization = switch (dataset) {
            case "mnist" -> MNIST_NORMALIZATION;
            case "fashion-mnist" -> FASHION_MNIST_NORMALIZATION;
            default -> null;
        };
        boolean convNetOnMnist = model.equals("cnn") && dataset.equals("mnist");
        return new TrainRecipe(convNetOnMnist ? 3 : EPOCHS, normalization, convNetOnMnist ? "cosine" : SCHEDULE);
    }

    /** What this recipe sets beyond the plain defaults, for the run's first lines; empty when nothing. */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (epochs != EPOCHS) parts.add(epochs + " epochs");
        if (normalization != null) parts.add(String.format(Locale.ROOT, "normalize %s,%s", normalization[0], normalization[1]));
        if (!schedule.equals(SCHEDULE)) parts.add(schedule + " schedule");
        return String.join(", ", parts);
    }
}
