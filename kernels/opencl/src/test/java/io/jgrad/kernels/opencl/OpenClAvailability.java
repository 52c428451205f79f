package io.jgrad.kernels.opencl;

import org.junit.jupiter.api.Assumptions;

/**
 * "The OpenCL runtime, or skip": tests call {@link #runtime()} first, so that a machine without an OpenCL
 * library or device reports every such test as skipped, with the reason, instead of failing or passing.
 */
final class OpenClAvailability {

    private static ClRuntime runtime;
    private static String unavailable;

    private OpenClAvailability() {
    }

    /** The shared runtime; skips the calling test (printing why) when OpenCL cannot start here. */
    static synchronized ClRuntime runtime() {
        if (runtime == null && unavailable == null) {
            try {
                runtime = ClRuntime.open();
            } catch (RuntimeException | LinkageError e) {
                unavailable = "OpenCL unavailable: " + e.getMessage();
                System.out.println("[skip] " + unavailable);
            }
        }
        Assumptions.assumeTrue(runtime != null, unavailable);
        return runtime;
    }
}
