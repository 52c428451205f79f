package io.jgrad.spark;

import io.jgrad.autograd.Tensor;
import io.jgrad.data.DataSources;
import io.jgrad.layers.CrossEntropyLoss;
import io.jgrad.layers.Init;
import io.jgrad.layers.Module;
import io.jgrad.optimizers.SGD;
import io.jgrad.tensor.NDArray;
import io.jgrad.train.models.Mlp;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures the wall time of one round of gradient averaging (broadcast, tasks, tree aggregation, update on
 * the driver) against the model size and the number of partitions, with one example per partition so that
 * the computation is negligible and the round is all overhead and communication; and, for comparison, the
 * time of one forward and backward pass of a local batch of 64 on this machine. The numbers behind
 * {@code docs/distributed.md}.
 *
 * <pre>
 * java -cp ... io.jgrad.spark.RoundTimes --master spark://127.0.0.1:7077 [--hidden 32,128,512,2048] [--partitions 2,4,8] [--rounds 12]
 * </pre>
 */
public final class RoundTimes {

    private static final int WARM_UP = 3;

    private RoundTimes() {
    }

    public static void main(String[] args) throws Exception {
        String master = null;
        int[] hidden = {32, 128, 512, 2048}, partitions = {2, 4, 8};
        int rounds = 12;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--master" -> master = args[i + 1];
                case "--hidden" -> hidden = ints(args[i + 1]);
                case "--partitions" -> partitions = ints(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("usage: RoundTimes --master URL [--hidden 32,128] [--partitions 2,4] [--rounds 12]; unknown " + args[i]);
            }
        }
        PrintStream out = System.out;
        out.println("hidden,parameters,result_bytes_per_partition,partitions,round_ms_median,round_ms_min,local_step_ms_batch64");
        try (JavaSparkContext sc = new JavaSparkContext(SparkTrain.sparkConf(master).setAppName("jgrad round times"))) {
            for (int h : hidden) {
                double localStep = localStepMillis(h);
                for (int p : partitions) {
                    final int width = h;
                    SparkTrainer.Result r = SparkTrainer.builder(() -> {
                                Init.manualSeed(0);
                                return new Mlp(784, width, 10);
                            }, params -> SGD.builder().lr(0.01).build(params))
                            .exampleShape(1, 28, 28).batchSize(p).rounds(WARM_UP + rounds).shuffle(false)
                            .log(new PrintStream(new ByteArrayOutputStream()), false).build()
                            .fit(TrainingExamples.rdd(sc, () -> io.jgrad.data.Datasets.first(DataSources.digits().train(), 64 * p), p));
                    double[] times = java.util.Arrays.copyOfRange(r.roundSeconds(), WARM_UP, r.roundSeconds().length);
                    java.util.Arrays.sort(times);
                    out.println(String.format(Locale.ROOT, "%d,%d,%d,%d,%.1f,%.1f,%.2f", h, r.model().parameterCount(), r.bytesPerRound(), p,
                            1000 * times[times.length / 2], 1000 * times[0], localStep));
                }
            }
        }
    }

    /** Milliseconds of one forward and backward pass of 64 digits through the MLP, after warming up. */
    private static double localStepMillis(int hidden) {
        Module model = new Mlp(784, hidden, 10);
        Tensor x = Tensor.of(NDArray.rand(Init.generator(), io.jgrad.tensor.DType.FLOAT32, 64, 1, 28, 28));
        Tensor y = Tensor.of(NDArray.of(new long[64], 64));
        CrossEntropyLoss loss = new CrossEntropyLoss();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            long t = System.nanoTime();
            model.zeroGrad();
            loss.forward(model.forward(x), y).backward();
            times.add(System.nanoTime() - t);
        }
        times.sort(null);
        return times.get(times.size() / 2) / 1e6;
    }

    private static int[] ints(String list) {
        String[] parts = list.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = Integer.parseInt(parts[i].trim());
        return out;
    }
}
