package io.jgrad.spark;

/**
 * Whether Spark is on the class path. jgrad-spark depends on Spark with {@code provided} scope, so a program
 * that uses it outside {@code spark-submit} (the {@code jgrad} command, say) must put Spark's jars on the class
 * path itself. This class refers to no Spark type, so a caller can ask before touching {@link SparkTrain}.
 */
public final class SparkAvailability {

    private SparkAvailability() {
    }

    /** Null when Spark can be loaded; otherwise what is missing and how to get it. */
    public static String missingReason() {
        try {
            Class.forName("org.apache.spark.SparkConf", false, SparkAvailability.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "Spark is not on the class path (jgrad-spark expects the cluster's Spark: spark-core_2.13 4.x): run through spark-submit, "
                    + "or add $SPARK_HOME/jars/* to the class path (" + e + ")";
        }
    }
}
