package io.jgrad.train;

/** A model measured on a dataset: mean loss, accuracy and the confusion matrix behind them. */
public record Evaluation(double loss, double accuracy, ConfusionMatrix confusion) {
}
