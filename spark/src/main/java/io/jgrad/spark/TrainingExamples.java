package io.jgrad.spark;

import io.jgrad.data.Dataset;
import io.jgrad.data.Example;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Training RDDs from jgrad's datasets. */
public final class TrainingExamples {

    /** Loads a dataset where it is called: on an executor, from the application jar or the node's files. */
    @FunctionalInterface
    public interface DatasetLoader extends Serializable {
        Dataset load() throws Exception;
    }

    private TrainingExamples() {
    }

    /** Every example of {@code dataset}, its input flattened, in order (for {@code sc.parallelize}). */
    public static List<TrainingExample> of(Dataset dataset) {
        return slice(dataset, 0, dataset.size());
    }

    /**
     * An RDD of the dataset that {@code loader} loads, in {@code partitions} contiguous, nearly equal slices,
     * each loaded by its task. Unlike {@code sc.parallelize(of(dataset))}, whose tasks carry their slice of the
     * data from the driver in every round, these tasks carry only the loader, and a lost partition is read
     * again from the source, as a file on HDFS would be.
     */
    public static JavaRDD<TrainingExample> rdd(JavaSparkContext sc, DatasetLoader loader, int partitions) {
        if (partitions < 1) throw new IllegalArgumentException("TrainingExamples: partitions must be >= 1, got " + partitions);
        List<Integer> indices = IntStream.range(0, partitions).boxed().toList();
        return sc.parallelize(indices, partitions).flatMap(p -> {
            Dataset dataset = loader.load();
            long n = dataset.size();
            return slice(dataset, (int) (p * n / partitions), (int) ((p + 1) * n / partitions)).iterator();
        });
    }

    private static List<TrainingExample> slice(Dataset dataset, int from, int to) {
        List<TrainingExample> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            Example e = dataset.get(i);
            out.add(new TrainingExample(e.input().toFloatArray(), e.label()));
        }
        return out;
    }
}
