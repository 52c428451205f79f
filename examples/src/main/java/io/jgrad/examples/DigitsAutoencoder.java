package io.jgrad.examples;

import io.jgrad.autograd.GradMode;
import io.jgrad.autograd.Tensor;
import io.jgrad.data.Batch;
import io.jgrad.data.DataLoader;
import io.jgrad.data.DataSources;
import io.jgrad.data.Dataset;
import io.jgrad.data.Datasets;
import io.jgrad.layers.BCEWithLogitsLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Linear;
import io.jgrad.layers.Loss;
import io.jgrad.layers.Module; // by name: with io.jgrad.layers.* alone, Module would be ambiguous with java.lang.Module
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.NDArray;
import io.jgrad.train.ImageGrid;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * An autoencoder on the embedded digits: an MLP squeezes each 784-pixel image through 64 numbers and
 * rebuilds it (784-64-784, ReLU, sigmoid output), trained to reproduce its input with binary cross-entropy.
 * Prints the reconstruction loss per epoch and writes a PNG of 16 test digits: rows 1 and 3 the originals,
 * rows 2 and 4 their reconstructions.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp examples/target/jgrad-examples.jar io.jgrad.examples.DigitsAutoencoder [EPOCHS] [PNG]
 * </pre>
 */
public final class DigitsAutoencoder {

    private DigitsAutoencoder() {
    }

    /** 784 -> 64 -> 784. {@link #forward} gives logits; {@code sigmoid} of them is the reconstructed image. */
    static final class Autoencoder extends Module {
        private final Linear encoder = registerModule("encoder", new Linear(784, 64));
        private final Linear decoder = registerModule("decoder", new Linear(64, 784));

        @Override
        public Tensor forward(Tensor images) {
            return decoder.forward(encoder.forward(images.flatten(1)).relu());
        }
    }

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path png = Path.of(args.length > 1 ? args[1] : "autoencoder.png");
        run(epochs, Integer.MAX_VALUE, png, System.out);
        System.out.println("wrote " + png);
    }

    /**
     * Trains for {@code epochs} on at most {@code limit} training digits; returns the mean test loss before
     * training (index 0) and after each epoch.
     */
    public static double[] run(int epochs, int limit, Path png, PrintStream out) throws Exception {
        Dataset train = Datasets.first(DataSources.digits().train(), limit);
        Dataset test = Datasets.first(DataSources.digits().test(), 500);
        DataLoader trainLoader = DataLoader.builder(train).batchSize(64).shuffle(true).seed(0).build();
        DataLoader testLoader = DataLoader.builder(test).batchSize(250).build();

        Init.manualSeed(0);
        Autoencoder model = new Autoencoder();
        Optimizer optimizer = Adam.builder().lr(2e-3).build(model.parameters());
        // BCE of sigmoid(logits) against the pixels, computed from the logits: the same loss, without log(0).
        Loss loss = new BCEWithLogitsLoss();

        double[] testLoss = new double[epochs + 1];
        testLoss[0] = meanLoss(model, testLoader, loss);
        out.println(String.format(Locale.ROOT, "untrained   test loss %.4f", testLoss[0]));
        for (int epoch = 1; epoch <= epochs; epoch++) {
            double sum = 0;
            int seen = 0;
            for (Batch batch : trainLoader) {
                Tensor images = Tensor.of(batch.inputs());
                Tensor l = loss.forward(model.forward(images), images.flatten(1)); // the target is the input itself
                optimizer.zeroGrad();
                l.backward();
                optimizer.step();
                sum += l.item() * batch.size();
                seen += batch.size();
            }
            testLoss[epoch] = meanLoss(model, testLoader, loss);
            out.println(String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f  test loss %.4f", epoch, epochs, sum / seen, testLoss[epoch]));
        }

        NDArray originals = DataLoader.builder(test).batchSize(16).build().iterator().next().inputs(); // 16 test digits
        NDArray reconstructions;
        try (var scope = GradMode.noGrad()) {
            reconstructions = model.forward(Tensor.of(originals)).data().sigmoid().reshape(16, 1, 28, 28);
        }
        ImageGrid.write(png, NDArray.cat(0, originals.narrow(0, 0, 8), reconstructions.narrow(0, 0, 8),
                originals.narrow(0, 8, 8), reconstructions.narrow(0, 8, 8)), 8, 2);
        return testLoss;
    }

    private static double meanLoss(Module model, DataLoader data, Loss loss) {
        double sum = 0;
        int seen = 0;
        try (var scope = GradMode.noGrad()) {
            for (Batch batch : data) {
                Tensor images = Tensor.of(batch.inputs());
                sum += loss.forward(model.forward(images), images.flatten(1)).item() * batch.size();
                seen += batch.size();
            }
        }
        return sum / seen;
    }
}
