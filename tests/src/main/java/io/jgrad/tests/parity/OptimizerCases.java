package io.jgrad.tests.parity;

import java.util.Map;

/** Trajectory fixtures of the layers/optimisers issue (to be filled in). */
final class OptimizerCases {

    private OptimizerCases() {
    }

    static void register(Map<String, TrajectoryCase> cases) {
        // no cases yet
    }
}
