package io.jgrad.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A {@code local[2]} Spark context for one test class, or a skip with the reason on JDKs Spark does not start on. */
final class LocalSpark {

    /** Spark 4.0 supports Java 17 and 21; on 25 Hadoop's start-up fails ("getSubject is not supported"). */
    static final int NEWEST_SUPPORTED_JDK = 21;

    private LocalSpark() {
    }

    static JavaSparkContext start(String name) {
        int jdk = Runtime.version().feature();
        if (jdk > NEWEST_SUPPORTED_JDK) {
            String reason = "Spark tests skipped: Spark 4.0 runs on JDK 17 and 21, this is JDK " + jdk
                    + " (Hadoop's start-up throws 'getSubject is not supported'); run them on JDK 17";
            System.out.println(reason);
            assumeTrue(false, reason);
        }
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName(name)
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.default.parallelism", "2");
        return new JavaSparkContext(conf);
    }
}
