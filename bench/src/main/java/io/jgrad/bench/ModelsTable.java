package io.jgrad.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The samples of {@code jgrad bench models} and the table made of them: per model and workload, one time per
 * round for jgrad and one for PyTorch (each the median of many calls within the round), summarised as the best
 * round (minimum) and the median over rounds, with the ratios jgrad/PyTorch last (below 1: jgrad is faster).
 * Kept apart from the measuring so that the arithmetic and the layout can be tested.
 */
final class ModelsTable {

    /** What is timed for each model. */
    enum Workload {
        TRAIN("train step"), INFER_1("infer b1"), INFER_32("infer b32");

        final String label;

        Workload(String label) {
            this.label = label;
        }

        /** The key the anchor script prints, e.g. {@code torch.lstm.infer32}. */
        String key(String model) {
            return "torch." + model + "." + name().toLowerCase(Locale.ROOT).replace("_", "");
        }
    }

    record Row(String model, Workload workload) {
    }

    /** min and median of a row's samples (NaN when there are none). */
    record Summary(double min, double median) {
        static Summary of(List<Double> samples) {
            double[] s = samples.stream().mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).sorted().toArray();
            if (s.length == 0) return new Summary(Double.NaN, Double.NaN);
            int n = s.length;
            return new Summary(s[0], n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2);
        }
    }

    private final Map<Row, List<Double>> jgrad = new LinkedHashMap<>();
    private final Map<Row, List<Double>> torch = new LinkedHashMap<>();

    ModelsTable(List<String> models) {
        for (String model : models) {
            for (Workload w : Workload.values()) {
                jgrad.put(new Row(model, w), new ArrayList<>());
                torch.put(new Row(model, w), new ArrayList<>());
            }
        }
    }

    List<Row> rows() {
        return List.copyOf(jgrad.keySet());
    }

    void addJgrad(Row row, double seconds) {
        jgrad.get(row).add(seconds);
    }

    /** Takes this round's anchor times from the values the script printed; a missing value is left out. */
    void addTorch(Map<String, Double> printed) {
        for (Row row : torch.keySet()) {
            Double v = printed.get(row.workload().key(row.model()));
            if (v != null) torch.get(row).add(v);
        }
    }

    Summary jgrad(Row row) {
        return Summary.of(jgrad.get(row));
    }

    Summary torch(Row row) {
        return Summary.of(torch.get(row));
    }

    /** jgrad/PyTorch of the medians over rounds (NaN when a side has no samples). */
    double medianRatio(Row row) {
        return jgrad(row).median() / torch(row).median();
    }

    double minRatio(Row row) {
        return jgrad(row).min() / torch(row).min();
    }

    /** Geometric mean of the median ratios of the rows that have both sides. */
    double geometricMeanRatio() {
        double[] logs = rows().stream().mapToDouble(this::medianRatio).filter(r -> r > 0 && Double.isFinite(r)).map(Math::log).toArray();
        return logs.length == 0 ? Double.NaN : Math.exp(Arrays.stream(logs).average().orElse(Double.NaN));
    }

    void print(PrintStream out, int rounds) {
        out.println(String.format(Locale.ROOT, "%-12s %-10s | %10s %10s | %10s %10s | %9s %9s",
                "model", "workload", "jgrad min", "jgrad med", "torch min", "torch med", "ratio med", "ratio min"));
        for (Row row : rows()) {
            Summary j = jgrad(row), t = torch(row);
            out.println(String.format(Locale.ROOT, "%-12s %-10s | %s %s | %s %s | %s %s", row.model(), row.workload().label,
                    time(j.min()), time(j.median()), time(t.min()), time(t.median()),
                    Machine.cell(medianRatio(row), 9, "%.2f"), Machine.cell(minRatio(row), 9, "%.2f")));
        }
        out.println(String.format(Locale.ROOT, "times per call (train step: forward, loss, backward, Adam); min and median over %d round%s; ratio = jgrad/pytorch, below 1: jgrad faster",
                rounds, rounds == 1 ? "" : "s"));
        double g = geometricMeanRatio();
        out.println("models jgrad/pytorch (geometric mean of median ratios): " + (Double.isNaN(g) ? "n/a" : String.format(Locale.ROOT, "%.2f", g)));
    }

    /** A time in the unit that keeps three significant digits readable: µs below 1 ms, else ms. */
    static String time(double seconds) {
        if (Double.isNaN(seconds)) return String.format(Locale.ROOT, "%10s", "n/a");
        if (seconds < 1e-3) return String.format(Locale.ROOT, "%7.1f us", seconds * 1e6);
        return String.format(Locale.ROOT, "%7.2f ms", seconds * 1e3);
    }
}
