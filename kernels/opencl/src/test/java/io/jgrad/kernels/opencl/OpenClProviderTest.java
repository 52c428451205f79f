package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class OpenClProviderTest {

    @Test
    void theBackendServesTheOpenClDevice() {
        OpenClBackend cl = OpenClTesting.backend();
        assertEquals(new Device(Device.Kind.OPENCL, 0), cl.device());
        assertEquals("opencl", new OpenClProvider().name());
        NDArray x = NDArray.of(new float[] {1, 2, 3}, 3).to(cl.device());
        assertEquals(6.0, x.sum().item());
    }

    @Test
    void aBadDevicePropertyIsAClearErrorFromCreate() {
        OpenClTesting.backend();
        String old = System.getProperty(ClDevices.PROPERTY);
        System.setProperty(ClDevices.PROPERTY, "no-such-device-xyz");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OpenClProvider().create());
            assertTrue(e.getMessage().contains("matches no OpenCL device") && e.getMessage().contains("#0 "), e.getMessage());
        } finally {
            if (old == null) System.clearProperty(ClDevices.PROPERTY);
            else System.setProperty(ClDevices.PROPERTY, old);
        }
    }

    @Test
    void float64IsRefusedByNameOnADeviceWithoutFp64() {
        ClRuntime rt = OpenClTesting.runtime();
        if (rt.info().fp64()) {
            rt.requireSupported(DType.FLOAT64, "test"); // no error where the device has it
            return;
        }
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> rt.allocate(DType.FLOAT64, 4));
        assertTrue(e.getMessage().contains("cl_khr_fp64"), e.getMessage());
    }

    @Test
    void warnsAboutSignalChainingOnlyOnLinuxWithoutLibjsig() {
        String w = OpenClProvider.signalChainingWarning("Linux", null, "/jdk");
        assertNotNull(w);
        assertTrue(w.contains("LD_PRELOAD=/jdk/lib/libjsig.so"), w);
        assertNull(OpenClProvider.signalChainingWarning("Linux", "/jdk/lib/libjsig.so", "/jdk"));
        assertNull(OpenClProvider.signalChainingWarning("Mac OS X", null, "/jdk"));
    }

    /** The Maven test JVMs preload libjsig (profile signal-chaining), so the OpenCL tests cannot crash the JVM that way. */
    @Test
    void theTestJvmChainsSignals() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "signal chaining matters on Linux only");
        assertNull(OpenClProvider.signalChainingWarning(System.getProperty("os.name"), System.getenv("LD_PRELOAD"),
                System.getProperty("java.home")), "LD_PRELOAD=" + System.getenv("LD_PRELOAD"));
    }
}
