package io.jgrad.cli;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jgrad train --spark MASTER ...}: hands the command to the spark module's {@code SparkTrain}, with
 * {@code --spark MASTER} turned into its {@code --master MASTER}.
 *
 * <p>Looked up by name because the module graph puts spark beside cli, not below it, and because Spark is a
 * {@code provided} dependency: the runnable jar holds neither. The {@code ./jgrad} launcher adds the spark module's
 * jar and Spark's jars to the class path when it sees {@code --spark}; anywhere else a missing piece is a usage
 * error that says what to add.
 */
final class SparkTraining {

    static final String SPARK_TRAIN = "io.jgrad.spark.SparkTrain";
    static final String SPARK_AVAILABILITY = "io.jgrad.spark.SparkAvailability";

    private SparkTraining() {
    }

    /** True when the arguments ask for training on a Spark master. */
    static boolean requested(List<String> args) {
        return args.stream().anyMatch(a -> a.equals("--spark") || a.startsWith("--spark="));
    }

    static int run(List<String> args, PrintStream out) throws Exception {
        List<String> forwarded = masterFlag(args);
        Class<?> sparkTrain = load(SPARK_TRAIN);
        String missing = (String) load(SPARK_AVAILABILITY).getMethod("missingReason").invoke(null);
        if (missing != null) throw new UsageError("--spark: " + missing);
        Method run = sparkTrain.getMethod("run", List.class, PrintStream.class);
        try {
            return (Integer) run.invoke(null, forwarded, out);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            if (e.getCause() instanceof Error error) throw error;
            throw e;
        }
    }

    /** The arguments with {@code --spark MASTER} (or {@code --spark=MASTER}) as {@code --master MASTER}. */
    static List<String> masterFlag(List<String> args) {
        List<String> out = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--spark")) {
                if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                    throw new UsageError("--spark needs a master URL, e.g. --spark local[2] or --spark spark://HOST:7077");
                }
                out.add("--master");
                out.add(args.get(++i));
            } else if (a.startsWith("--spark=")) {
                out.add("--master");
                out.add(a.substring("--spark=".length()));
            } else {
                out.add(a);
            }
        }
        return out;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, true, SparkTraining.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new UsageError("--spark needs the jgrad-spark module and Spark's jars on the class path: run it as "
                    + "'./jgrad train --spark MASTER ...' (the launcher adds them), or submit spark/target/jgrad-spark-app.jar "
                    + "with spark-submit --class " + SPARK_TRAIN);
        }
    }
}
