package io.jgrad.spark;

import io.jgrad.layers.Module;
import io.jgrad.optimizers.Optimizer;
import io.jgrad.train.CheckpointInfo;
import io.jgrad.train.Checkpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints of a distributed run on any file system Hadoop knows ({@code file:}, {@code hdfs:}, {@code s3a:}).
 * A checkpoint is a directory {@code round-NNNNNNNN/} holding the pair {@link Checkpoints} writes
 * ({@code model.safetensors}, {@code model.optim.safetensors}, which share a checkpoint id). It is written
 * under a temporary name and renamed when complete, so a directory with the final name is always a whole,
 * consistent pair: the rename is the commit (atomic on HDFS and local disks; on object stores such as S3 a
 * rename is a copy, and a crash during it leaves a directory that {@link Checkpoints#resume} rejects by its
 * ids). The last {@link #KEPT} checkpoints are kept.
 */
final class ClusterCheckpoints {

    static final int KEPT = 2;
    private static final Pattern NAME = Pattern.compile("round-(\\d{8})");
    private static final String MODEL_FILE = "model.safetensors";

    private final Path dir;
    private final FileSystem fs;

    ClusterCheckpoints(String dir, Configuration conf) throws IOException {
        this.dir = new Path(dir);
        this.fs = this.dir.getFileSystem(conf);
    }

    /** Saves the model and optimiser after round {@code round}. */
    void save(int round, Module model, Optimizer optimizer, CheckpointInfo info) throws IOException {
        java.nio.file.Path local = Files.createTempDirectory("jgrad-checkpoint");
        try {
            java.nio.file.Path modelFile = local.resolve(MODEL_FILE);
            Checkpoints.save(modelFile, model, optimizer, info);
            fs.mkdirs(dir);
            Path tmp = new Path(dir, name(round) + ".tmp-" + UUID.randomUUID());
            fs.mkdirs(tmp);
            fs.copyFromLocalFile(false, true, new Path(modelFile.toUri()), new Path(tmp, MODEL_FILE));
            java.nio.file.Path optFile = Checkpoints.optimizerFile(modelFile);
            fs.copyFromLocalFile(false, true, new Path(optFile.toUri()), new Path(tmp, optFile.getFileName().toString()));
            Path target = new Path(dir, name(round));
            if (fs.exists(target)) fs.delete(target, true);
            if (!fs.rename(tmp, target)) throw new IOException("could not rename checkpoint " + tmp + " to " + target);
        } finally {
            deleteLocal(local);
        }
        List<Integer> rounds = rounds();
        for (int i = 0; i < rounds.size() - KEPT; i++) fs.delete(new Path(dir, name(rounds.get(i))), true);
    }

    /** The round of the newest complete checkpoint, or -1 when there is none. */
    int latest() throws IOException {
        List<Integer> rounds = rounds();
        return rounds.isEmpty() ? -1 : rounds.get(rounds.size() - 1);
    }

    /** Loads checkpoint {@code round} into {@code model} and {@code optimizer}; returns its description. */
    CheckpointInfo resume(int round, Module model, Optimizer optimizer) throws IOException {
        java.nio.file.Path local = Files.createTempDirectory("jgrad-checkpoint");
        try {
            Path source = new Path(dir, name(round));
            java.nio.file.Path modelFile = local.resolve(MODEL_FILE);
            // The checkpoint directory holds exactly one model file and the optimiser file it names (by checkpoint id).
            for (FileStatus file : fs.listStatus(source)) {
                fs.copyToLocalFile(false, file.getPath(), new Path(local.resolve(file.getPath().getName()).toUri()), true);
            }
            try {
                return Checkpoints.resume(modelFile, model, optimizer);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("checkpoint " + source + ": " + e.getMessage(), e);
            }
        } finally {
            deleteLocal(local);
        }
    }

    Path directory(int round) {
        return new Path(dir, name(round));
    }

    private List<Integer> rounds() throws IOException {
        List<Integer> rounds = new ArrayList<>();
        if (!fs.exists(dir)) return rounds;
        for (FileStatus s : fs.listStatus(dir)) {
            Matcher m = NAME.matcher(s.getPath().getName());
            if (s.isDirectory() && m.matches()) rounds.add(Integer.parseInt(m.group(1)));
        }
        rounds.sort(Comparator.naturalOrder());
        return rounds;
    }

    private static String name(int round) {
        return String.format(Locale.ROOT, "round-%08d", round);
    }

    private static void deleteLocal(java.nio.file.Path dir) throws IOException {
        try (Stream<java.nio.file.Path> files = Files.walk(dir)) {
            for (java.nio.file.Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
