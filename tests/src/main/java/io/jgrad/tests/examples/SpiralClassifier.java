package io.jgrad.tests.examples;

import io.jgrad.autograd.GradMode;
import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A two-layer network (2-64-2, ReLU) learning to separate two interleaved spirals, written with nothing but tensors,
 * autograd and a hand-written SGD step: what the training command runs until the data and training modules
 * (embedded digits, optimisers, the fit loop) arrive.
 */
public final class SpiralClassifier {

    private SpiralClassifier() {
    }

    /** Trains for {@code epochs} full-batch steps and returns the final training accuracy in [0, 1]. */
    public static double train(int epochs, double lr, long seed, PrintStream log) {
        Generator gen = new Generator(seed);
        int perClass = 200, hidden = 64;
        NDArray[] data = spirals(perClass, gen);
        Tensor x = Tensor.of(data[0]);
        NDArray labels = data[1];

        // He-style initialisation for the ReLU layer, small weights for the output layer.
        Tensor w1 = Tensor.parameter(NDArray.randn(gen, 2, hidden).mul(Math.sqrt(2.0 / 2)));
        Tensor b1 = Tensor.parameter(NDArray.zeros(hidden));
        Tensor w2 = Tensor.parameter(NDArray.randn(gen, hidden, 2).mul(Math.sqrt(1.0 / hidden)));
        Tensor b2 = Tensor.parameter(NDArray.zeros(2));
        Tensor[] params = {w1, b1, w2, b2};

        double accuracy = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Tensor logits = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
            // Cross-entropy: minus the log-probability of the right class, averaged over the batch.
            Tensor loss = logits.logSoftmax(1).gather(1, labels.unsqueeze(1)).mean().neg();
            for (Tensor p : params) p.zeroGrad();
            loss.backward();
            try (var scope = GradMode.noGrad()) {
                for (Tensor p : params) p.data().subInPlace(p.grad().mul(lr)); // plain gradient descent
            }
            accuracy = logits.data().argmax(1, false).eq(labels).to(io.jgrad.tensor.DType.FLOAT64).mean().item();
            if (epoch == 1 || epoch % 100 == 0 || epoch == epochs) {
                log.println(String.format(Locale.ROOT, "epoch %4d  loss %.4f  train accuracy %.2f%%", epoch, loss.item(), 100 * accuracy));
            }
        }
        return accuracy;
    }

    /** Two spirals of {@code perClass} noisy points each: inputs [2n, 2] and int64 labels [2n]. */
    static NDArray[] spirals(int perClass, Generator gen) {
        float[] xs = new float[2 * perClass * 2];
        long[] ys = new long[2 * perClass];
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < perClass; i++) {
                double r = (double) i / perClass;
                double angle = 2.5 * r * Math.PI + c * Math.PI + 0.15 * gen.nextGaussian();
                int row = c * perClass + i;
                xs[2 * row] = (float) (r * Math.cos(angle));
                xs[2 * row + 1] = (float) (r * Math.sin(angle));
                ys[row] = c;
            }
        }
        return new NDArray[] {NDArray.of(xs, 2 * perClass, 2), NDArray.of(ys, 2 * perClass)};
    }
}
