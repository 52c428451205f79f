package io.jgrad.train;

import io.jgrad.autograd.GradMode;
import io.jgrad.data.Batch;
import io.jgrad.data.DataLoader;

import java.util.function.Function;

/** A model measured on a dataset: mean loss, accuracy and the confusion matrix behind them. */
public record Evaluation(double loss, double accuracy, ConfusionMatrix confusion) {

    /** What one batch gives: its mean loss and the class predicted for each example. */
    record Scored(double loss, long[] predicted) {
    }

    /**
     * One pass over {@code data} without recording gradients: the batches' losses averaged by example, and
     * predictions against labels in a confusion matrix. Shared by {@link Trainer#evaluate} and
     * {@link Ensemble#evaluate}, which differ only in how a batch is scored.
     */
    static Evaluation over(DataLoader data, int numClasses, Function<Batch, Scored> scorer) {
        ConfusionMatrix confusion = new ConfusionMatrix(numClasses);
        double lossSum = 0;
        long seen = 0;
        try (var scope = GradMode.noGrad(); DataLoader.BatchIterator it = data.iterator()) {
            while (it.hasNext()) {
                Batch batch = it.next();
                Scored s = scorer.apply(batch);
                lossSum += s.loss() * batch.size();
                confusion.addAll(batch.labels().toLongArray(), s.predicted());
                seen += batch.size();
            }
        }
        // No examples would report a NaN accuracy as if it were a result.
        if (seen == 0) throw new IllegalArgumentException("evaluation: the data holds no examples (" + data.dataset().size() + " in the dataset)");
        return new Evaluation(lossSum / seen, confusion.accuracy(), confusion);
    }
}
