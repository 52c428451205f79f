package io.jgrad.kernels.cuda;

import io.jgrad.tensor.Device;
import io.jgrad.tensor.spi.BackendProvider;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provider's registration and its causes, on any machine (with or without a GPU). */
class CudaProviderTest {

    @Test
    void registeredThroughServiceLoaderForTheCudaDeviceKind() {
        BackendProvider provider = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("cuda")).findFirst().orElseThrow(() -> new AssertionError("no cuda provider registered"));
        assertEquals(Device.Kind.CUDA, provider.deviceKind());
        assertTrue(provider instanceof CudaProvider);
    }

    @Test
    void createEitherStartsOrThrowsAReadableCause() {
        try {
            CudaBackend backend = (CudaBackend) new CudaProvider().create();
            System.out.println("CUDA available: " + backend);
            assertEquals(Device.Kind.CUDA, backend.device().kind());
        } catch (IllegalStateException e) {
            System.out.println("CUDA unavailable (expected without a GPU): " + e.getMessage());
            String m = e.getMessage();
            assertTrue(m.startsWith("no libcuda.so.1: ") || m.startsWith("CUDA is not usable here: ") || m.startsWith("the CUDA driver API"), m);
        }
    }

    @Test
    void aMissingDriverLibraryIsNamed() {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.0.0-linux-x86_64\"");
        e.initCause(new UnsatisfiedLinkError("/tmp/libJCudaDriver-12.0.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file: No such file or directory"));
        String cause = CudaProvider.cause(e);
        assertEquals("no libcuda.so.1: cannot open shared object file: No such file or directory"
                + " (the NVIDIA driver is not installed or not on the library path)", cause);
    }

    @Test
    void thePtxTargetFollowsTheComputeCapability() {
        assertEquals("compute_90", CudaRuntime.targetFor(9, 0));
        assertEquals("compute_90", CudaRuntime.targetFor(10, 0));
        assertEquals("compute_75", CudaRuntime.targetFor(8, 6));
        assertEquals("compute_75", CudaRuntime.targetFor(7, 5));
        IllegalStateException old = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> CudaRuntime.targetFor(7, 0));
        assertTrue(old.getMessage().contains("7.0"), old.getMessage());
    }
}
