package io.jgrad.data;

import java.io.IOException;

/** A named dataset with fixed train and test splits; see {@link DataSources}. */
public interface DataSource {

    /** The name used on the command line: {@code digits}, {@code mnist}, {@code fashion-mnist}. */
    String name();

    /** The number of classes: labels are {@code 0 .. numClasses() - 1} in both splits (checked when read). */
    int numClasses();

    /** The training split (read on every call). */
    TensorDataset train() throws IOException;

    /** The test split (read on every call). */
    TensorDataset test() throws IOException;
}
