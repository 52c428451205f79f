package io.jgrad.kernels.cuda;

import io.jgrad.tensor.Device;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BackendProvider;

/**
 * Registers the {@link CudaBackend}. Nothing here touches JCuda until {@link #create()}, which loads the driver
 * and opens the device chosen by {@code -Djgrad.cuda.device} (default 0). Every failure there becomes one
 * readable cause: no {@code libcuda.so.1} (no NVIDIA driver installed), a driver without a GPU, a GPU too old.
 */
public final class CudaProvider implements BackendProvider {

    /** Serves its own device kind, so the rank only orders it among CUDA providers. */
    public static final int RANK = 20;

    @Override
    public String name() {
        return CudaBackend.NAME;
    }

    @Override
    public int rank() {
        return RANK;
    }

    /** Started only when asked for: loading the driver costs time and installs its own threads and handlers. */
    @Override
    public Device.Kind deviceKind() {
        return Device.Kind.CUDA;
    }

    @Override
    public Backend create() {
        try {
            return new CudaBackend(CudaRuntime.open());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IllegalStateException(cause(e), e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("CUDA is not usable here: " + e.getMessage(), e);
        } catch (Throwable e) {
            throw new IllegalStateException(cause(e), e);
        }
    }

    /**
     * The readable cause of a failure to load JCuda's native library, which links against the driver's
     * {@code libcuda.so.1}: "no libcuda.so.1: cannot open shared object file ..." when that is what is missing (a
     * machine without the NVIDIA driver). JCuda's own message runs to nested stack traces; only the line that
     * names the missing library is kept.
     */
    static String cause(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append('\n');
        for (String line : all.toString().split("\n")) {
            int at = line.indexOf("libcuda.so.1:");
            if (at >= 0 && !line.contains("the NVIDIA driver")) {
                return "no " + line.substring(at).trim() + " (the NVIDIA driver is not installed or not on the library path)";
            }
        }
        String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        return "the CUDA driver API could not be loaded through JCuda (" + e.getClass().getSimpleName() + ": " + first + ")";
    }
}
