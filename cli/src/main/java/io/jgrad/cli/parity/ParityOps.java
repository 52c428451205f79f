package io.jgrad.cli.parity;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every fixture kind jgrad can run, by the fixture's {@code op} name: op cases (outputs and gradients) and
 * trajectory cases (optimiser steps, learning-rate schedules, end-to-end training). A name missing here is
 * reported as skipped.
 */
final class ParityOps {

    private static final Map<String, OpCase> OPS = new TreeMap<>();
    private static final Map<String, TrajectoryCase> TRAJECTORIES = new TreeMap<>();

    static {
        CoreOps.register(OPS);
        LayerOps.register(OPS);
        RecurrentOps.register(OPS);
        OptimizerCases.register(TRAJECTORIES);
        ScheduleCases.register(TRAJECTORIES);
        EndToEndCases.register(TRAJECTORIES);
    }

    private ParityOps() {
    }

    /** The op case for {@code op}, or null. */
    static OpCase op(String op) {
        return OPS.get(op);
    }

    /** The trajectory case for {@code op}, or null. */
    static TrajectoryCase trajectory(String op) {
        return TRAJECTORIES.get(op);
    }

    /** Every supported fixture op name, sorted. */
    static Set<String> supported() {
        Set<String> names = new TreeSet<>(OPS.keySet());
        names.addAll(TRAJECTORIES.keySet());
        return Collections.unmodifiableSet(names);
    }
}
