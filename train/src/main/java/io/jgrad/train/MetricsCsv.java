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
