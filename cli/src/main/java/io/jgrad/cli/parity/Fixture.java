package io.jgrad.cli.parity;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.io.SafeTensorsFile;

import java.util.List;

/**
 * The fixture file behind the op case being run, for cases that need more than their inputs and outputs:
 * tensors the op reads besides its inputs (batch norm's {@code running_mean}) and further tensors to compare
 * after the call (its {@code running_mean_after}). Mismatches join the case's other problems.
 */
final class Fixture {

    private final SafeTensorsFile file;
    private final double rtol;
    private final double atol;
    private final List<String> problems;

    Fixture(SafeTensorsFile file, double rtol, double atol, List<String> problems) {
        this.file = file;
        this.rtol = rtol;
        this.atol = atol;
        this.problems = problems;
    }

    boolean has(String name) {
        return file.tensors().containsKey(name);
    }

    /** A copy of tensor {@code name}, so that an op updating it in place leaves the file's values alone. */
    NDArray tensor(String name) {
        return file.get(name).copy();
    }

    /** Compares {@code actual} with tensor {@code name}, with the case's tolerances. */
    void expect(String name, NDArray actual) {
        ParityRunner.compare(name, file.get(name), actual, rtol, atol, problems);
    }
}
