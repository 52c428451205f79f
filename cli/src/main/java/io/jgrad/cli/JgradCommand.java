package io.jgrad.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * A command that a module above cli adds to the {@code jgrad} command line, found with {@link java.util.ServiceLoader}
 * (a {@code META-INF/services/io.jgrad.cli.JgradCommand} file in that module's jar). The bench module provides
 * {@code jgrad bench} this way: bench depends on cli (and carries JMH and its annotation-processed benchmark list),
 * so cli cannot depend on bench; the {@code ./jgrad} launcher puts bench's jar beside cli's on the class path.
 */
public interface JgradCommand {

    /** The word that selects this command: {@code jgrad NAME ...}. */
    String name();

    /** Its line in {@code jgrad help}: the arguments it takes, then what it does (e.g. "gemm|conv   benchmarks ..."). */
    String synopsis();

    /** Runs the command on the arguments after its name; returns the exit status (2 for a usage error). */
    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
