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
import io.jgrad.layers.LeakyReLU;
import io.jgrad.layers.Linear;
import io.jgrad.layers.Loss;
import io.jgrad.layers.Module;
import io.jgrad.layers.ReLU;
import io.jgrad.layers.Sequential;
import io.jgrad.layers.Sigmoid;
import io.jgrad.optimizers.Adam;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.train.ImageGrid;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A generative adversarial network (Goodfellow et al. 2014) on the embedded digits. The generator turns 16
 * random numbers into an image (16 -> 128 -> 784, sigmoid); the discriminator tells real images from generated
 * ones (784 -> 128 -> 1 logit). Each batch, the discriminator takes a step to score real images 1 and
 * generated ones 0, then the generator takes a step to make the discriminator score its images 1 (the
 * "non-saturating" loss). Both losses are binary cross-entropy of logits. Seeded: the same run every time.
 * Writes an 8x8 grid of samples.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp examples/target/jgrad-examples.jar io.jgrad.examples.DigitsGan [EPOCHS] [PNG]
 * </pre>
 */
public final class DigitsGan {

    static final int NOISE = 16;

    private DigitsGan() {
    }

    /**
     * How far the mean generated image is from the mean real image (root-mean-square over pixels), before and
     * after training: a number that must fall if the generator learns anything about digits.
     */
    public record Outcome(double distanceBefore, double distanceAfter) {
    }

    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path png = Path.of(args.length > 1 ? args[1] : "gan-samples.png");
        run(epochs, Integer.MAX_VALUE, png, System.out);
        System.out.println("wrote " + png);
    }

    public static Outcome run(int epochs, int limit, Path png, PrintStream out) throws Exception {
        Dataset train = Datasets.first(DataSources.digits().train(), limit);
        DataLoader loader = DataLoader.builder(train).batchSize(64).shuffle(true).dropLast(true).seed(0).build();
        NDArray realMean = meanImage(train);

        Init.manualSeed(0);
        Module generator = new Sequential(new Linear(NOISE, 128), new ReLU(), new Linear(128, 784), new Sigmoid());
        Module discriminator = new Sequential(new Linear(784, 128), new LeakyReLU(0.2), new Linear(128, 1));
        // beta1 = 0.5, as DCGAN (Radford et al. 2016): less momentum keeps the two players from overshooting.
        Optimizer gOptimizer = Adam.builder().lr(1e-3).betas(0.5, 0.999).build(generator.parameters());
        Optimizer dOptimizer = Adam.builder().lr(1e-3).betas(0.5, 0.999).build(discriminator.parameters());
        Loss bce = new BCEWithLogitsLoss();
        Generator noise = new Generator(0);
        NDArray fixedNoise = NDArray.randn(noise, 64, NOISE); // the same 64 points drawn after every epoch

        double before = distance(sample(generator, fixedNoise), realMean);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            double dSum = 0, gSum = 0;
            int steps = 0;
            for (Batch batch : loader) {
                int n = batch.size();
                Tensor real = Tensor.of(batch.inputs().reshape(n, 784));
                Tensor ones = Tensor.ones(n, 1), zeros = Tensor.zeros(n, 1);
                Tensor fake = generator.forward(Tensor.of(NDArray.randn(noise, n, NOISE)));

                // Discriminator: real -> 1, generated -> 0 (detached: this step does not train the generator).
                Tensor dLoss = bce.forward(discriminator.forward(real), ones).add(bce.forward(discriminator.forward(fake.detach()), zeros));
                dOptimizer.zeroGrad();
                dLoss.backward();
                dOptimizer.step();

                // Generator: make the (just updated) discriminator call its images real.
                Tensor gLoss = bce.forward(discriminator.forward(fake), ones);
                gOptimizer.zeroGrad();
                gLoss.backward();
                gOptimizer.step();

                dSum += dLoss.item();
                gSum += gLoss.item();
                steps++;
            }
            out.println(String.format(Locale.ROOT, "epoch %d/%d  discriminator loss %.4f  generator loss %.4f", epoch, epochs, dSum / steps, gSum / steps));
        }
        NDArray samples = sample(generator, fixedNoise);
        double after = distance(samples, realMean);
        out.println(String.format(Locale.ROOT, "mean sample vs mean digit, rms pixel difference: %.4f untrained, %.4f trained", before, after));
        ImageGrid.write(png, samples, 8, 2);
        return new Outcome(before, after);
    }

    /** The generator's images for {@code z}, {@code [N, 1, 28, 28]}. */
    private static NDArray sample(Module generator, NDArray z) {
        try (var scope = GradMode.noGrad()) {
            return generator.forward(Tensor.of(z)).data().reshape(z.shape(0), 1, 28, 28);
        }
    }

    private static NDArray meanImage(Dataset data) {
        NDArray sum = NDArray.zeros(1, 28, 28);
        for (Batch batch : DataLoader.builder(data).batchSize(500).build()) sum = sum.add(batch.inputs().sum(0, false));
        return sum.div(data.size());
    }

    private static double distance(NDArray samples, NDArray realMean) {
        return Math.sqrt(samples.mean(0, false).sub(realMean).square().mean().item());
    }
}
