package io.jgrad.kernels.cpu;

import io.jgrad.tensor.Backends;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jgrad.kernels.cpu.NDArrayAssert.assertRejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ServiceLoader registry as seen from a module that ships the reference backend. */
class BackendsTest {

    @Test
    void statusListsTheReferenceBackendAsAvailable() {
        List<Backends.Entry> status = Backends.status();
        Backends.Entry reference = status.stream().filter(e -> e.name().equals("reference")).findFirst().orElseThrow(
                () -> new AssertionError("reference backend missing from " + status));
        assertTrue(reference.available());
        assertNull(reference.unavailableCause());
        assertEquals(ReferenceProvider.RANK, reference.rank());
        assertInstanceOf(ReferenceBackend.class, reference.backend());
        assertTrue(Backends.describe().contains("reference (available, cpu)"), Backends.describe());
    }

    @Test
    void getFindsTheReferenceBackendByName() {
        Backend b = Backends.get("reference");
        assertInstanceOf(ReferenceBackend.class, b);
        assertEquals("reference", b.name());
        assertEquals(Device.CPU, b.device());
        assertSame(b, Backends.get(ReferenceBackend.NAME), "one instance per provider");
    }

    @Test
    void unknownBackendNamesTheKnownOnes() {
        assertRejects(() -> Backends.get("nope"), "'nope'", "reference");
    }

    @Test
    void cpuArraysRunOnACpuBackend() {
        assertEquals(Device.CPU, Backends.defaultDevice());
        assertEquals(Device.CPU, Backends.forDevice(Device.CPU).device());
        NDArray a = NDArray.zeros(2);
        assertEquals(Device.CPU, a.device());
        assertEquals(Device.CPU, a.backend().device());
    }

    @Test
    void devicesWithoutABackendAreReported() {
        Device cuda = new Device(Device.Kind.CUDA, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.forDevice(cuda));
        assertTrue(e.getMessage().contains("cuda:0"), e.getMessage());
        assertTrue(e.getMessage().contains("reference"), e.getMessage());
    }

    @Test
    void useForcesAndReleasesTheReferenceBackend() {
        try {
            Backends.use("reference");
            assertInstanceOf(ReferenceBackend.class, Backends.forDevice(Device.CPU));
            assertInstanceOf(ReferenceBackend.class, NDArray.ones(2).backend());
            assertRejects(() -> Backends.use("nope"), "nope");
        } finally {
            Backends.use(null);
        }
        assertEquals(Device.CPU, Backends.defaultDevice());
    }
}
