package io.jgrad.train;

/** What one epoch measured; NaN where a value was not computed (no validation set, say). */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double validationLoss, double validationAccuracy,
                           double learningRate, double seconds) {

    static final String CSV_HEADER = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds";

    String csvRow() {
        return epoch + "," + num(trainLoss) + "," + num(trainAccuracy) + "," + num(validationLoss) + "," + num(validationAccuracy) + ","
                + num(learningRate) + "," + num(seconds);
    }

    /** A row as {@link #csvRow()} writes it; null when the line is not one (a hand-edited file, say). */
    static EpochMetrics parseCsvRow(String line) {
        String[] c = line.split(",", -1);
        if (c.length != 7) return null;
        try {
            return new EpochMetrics(Integer.parseInt(c[0]), parse(c[1]), parse(c[2]), parse(c[3]), parse(c[4]), parse(c[5]), parse(c[6]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double parse(String cell) {
        return cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
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
