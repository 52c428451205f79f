package io.jgrad.kernels.opencl;

import io.jgrad.tensor.Device;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BackendProvider;

/**
 * Registers the {@link OpenClBackend}. Nothing here touches JOCL until {@link #create()}, which opens the
 * device chosen by {@code -Djgrad.opencl.device} and throws with the cause ("no OpenCL platform found ...",
 * a missing library, a bad device choice) when OpenCL cannot run here.
 */
public final class OpenClProvider implements BackendProvider {

    /** Serves its own device kind, so the rank only orders it among OpenCL providers. */
    public static final int RANK = 20;

    @Override
    public String name() {
        return OpenClBackend.NAME;
    }

    @Override
    public int rank() {
        return RANK;
    }

    /** Started only when asked for: opening a platform loads the vendor's driver into the process. */
    @Override
    public Device.Kind deviceKind() {
        return Device.Kind.OPENCL;
    }

    @Override
    public Backend create() {
        String warning = signalChainingWarning(System.getProperty("os.name"), System.getenv("LD_PRELOAD"), System.getProperty("java.home"));
        if (warning != null) System.err.println(warning);
        try {
            return new OpenClBackend(ClRuntime.open());
        } catch (LinkageError e) {
            // libJOCL itself failed to load (an unsupported OS or architecture).
            throw new IllegalStateException("the JOCL native library could not be loaded: " + e, e);
        }
    }

    /**
     * An OpenCL driver may install signal handlers of its own (PoCL's LLVM does), replacing the JVM's, which
     * needs SIGSEGV for safepoint polls and null checks: the JVM then dies later, at a random place, with no
     * hs_err file (seen with PoCL: half the runs of a minute of 2-thread SGEMM). The JDK's libjsig chains the
     * handlers; the ./jgrad launcher and the Maven test runs preload it. Null when it is preloaded or not Linux.
     */
    static String signalChainingWarning(String osName, String preload, String javaHome) {
        if (osName == null || !osName.startsWith("Linux") || (preload != null && preload.contains("libjsig"))) return null;
        return "jgrad: the OpenCL driver may replace the JVM's signal handlers, and the JVM can then crash (SIGSEGV) at any later"
                + " point; start java with LD_PRELOAD=" + javaHome + "/lib/libjsig.so (the ./jgrad launcher does)";
    }
}
