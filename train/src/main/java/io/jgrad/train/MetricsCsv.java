package io.jgrad.train;

import io.jgrad.tensor.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The per-epoch metrics as CSV, rewritten atomically after every epoch so the file is always complete. */
public final class MetricsCsv {

    private final Path file;
    private final List<EpochMetrics> rows = new ArrayList<>();

    public MetricsCsv(Path file) {
        this.file = file;
    }

    /**
     * The metrics of a run resumed after {@code startEpoch}: the rows of epochs 1..startEpoch already in
     * {@code file} are kept (a resumed run used to rewrite it with only its own epochs), later ones (from the
     * part of the earlier run after its checkpoint) are dropped, as the resumed run redoes those epochs.
     */
    public static MetricsCsv continuing(Path file, int startEpoch) throws IOException {
        MetricsCsv csv = new MetricsCsv(file);
        if (startEpoch > 0 && Files.isRegularFile(file)) {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                EpochMetrics m = EpochMetrics.parseCsvRow(line);
                if (m != null && m.epoch() <= startEpoch) csv.rows.add(m);
            }
        }
        return csv;
    }

    public void append(EpochMetrics m) throws IOException {
        rows.add(m);
        StringBuilder sb = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
        for (EpochMetrics r : rows) sb.append(r.csvRow()).append('\n');
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.writeString(file, sb.toString());
    }

    public List<EpochMetrics> rows() {
        return List.copyOf(rows);
    }
}
