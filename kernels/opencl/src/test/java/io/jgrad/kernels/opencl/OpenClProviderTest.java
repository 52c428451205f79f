package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
