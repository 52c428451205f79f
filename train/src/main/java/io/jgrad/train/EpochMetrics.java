package io.jgrad.train;

/** What one epoch measured; NaN where a value was not computed (no validation set, say). */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double validationLoss, double validationAccuracy,
                           double learningRate, double seconds) {

    static final String CSV_HEADER = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds";

    String csvRow() {
        return epoch + "," + num(trainLoss) + "," + num(trainAccuracy) + "," + num(validationLoss) + "," + num(validationAccuracy) + ","
                + num(learningRate) + "," + num(seconds);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    /** The value of a metric by its CSV name ({@code val_loss}, {@code val_accuracy}, ...), for callbacks. */
    public double get(String name) {
        return switch (name) {
            case "train_loss" -> trainLoss;
            case "train_accuracy" -> trainAccuracy;
            case "val_loss" -> validationLoss;
            case "val_accuracy" -> validationAccuracy;
            case "lr" -> learningRate;
            default -> throw new IllegalArgumentException("unknown metric '" + name + "' (train_loss, train_accuracy, val_loss, val_accuracy, lr)");
        };
    }
}
