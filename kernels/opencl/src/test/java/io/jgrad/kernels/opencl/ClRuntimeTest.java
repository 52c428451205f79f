package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.KernelLayout;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClRuntimeTest {

    @Test
    void uploadsLaunchesOverAStridedLayoutAndDownloads() {
        ClRuntime rt = OpenClTesting.runtime();
        ClStorage s = rt.upload(new HostStorage.Float32(new float[] {0, 1, 2, 3, 4, 5}));
        // Every second element: shape [3], stride 2, offset 1.
        int[] layout = KernelLayout.struct("test", new int[] {3}, new int[] {2}, 1);
        rt.launch(rt.kernel("test_kernels.cl", "add_one", "-DT=float"), 3, s, layout, 3);
        assertArrayEquals(new float[] {0, 2, 2, 4, 4, 6}, ((HostStorage.Float32) rt.download(s)).data);
    }

    /**
     * A kernel keeps its arguments between launches and the runtime sets only those that changed: each launch
     * below changes one argument (the buffer, a struct mutated in place by the caller, the count) or none, and
     * every launch must act on exactly its own arguments.
     */
    @Test
    void launchesChangingOneArgumentAtATimeUseTheirOwnArguments() {
        ClRuntime rt = OpenClTesting.runtime();
        var kernel = rt.kernel("test_kernels.cl", "add_one", "-DT=float");
        ClStorage a = rt.upload(new HostStorage.Float32(new float[4])), b = rt.upload(new HostStorage.Float32(new float[4]));
        int[] all = KernelLayout.struct("test", new int[] {4}, new int[] {1}, 0);
        rt.launch(kernel, 4, a, all, 4);                       // a: 1 1 1 1
        rt.launch(kernel, 4, b, all, 4);                       // b: 1 1 1 1 (buffer changed)
        rt.launch(kernel, 4, b, all.clone(), 4);               // b: 2 2 2 2 (an equal struct, another array)
        int[] evens = KernelLayout.struct("test", new int[] {2}, new int[] {2}, 0);
        rt.launch(kernel, 2, a, evens, 2);                     // a: 2 1 2 1
        evens[0] = 1;                                          // the same array, now offset 1 (KernelLayout): odd elements
        rt.launch(kernel, 2, a, evens, 2);                     // a: 2 2 2 2
        rt.launch(kernel, 1, a, evens, 1);                     // a: 2 3 2 2 (count changed)
        assertArrayEquals(new float[] {2, 3, 2, 2}, ((HostStorage.Float32) rt.download(a)).data);
        assertArrayEquals(new float[] {2, 2, 2, 2}, ((HostStorage.Float32) rt.download(b)).data);
    }

    @Test
    void kernelsAreCachedPerSourceAndDefines() {
        ClRuntime rt = OpenClTesting.runtime();
        assertSame(rt.kernel("test_kernels.cl", "add_one", "-DT=float"), rt.kernel("test_kernels.cl", "add_one", "-DT=float"));
        ClStorage s = rt.upload(new HostStorage.Int64(new long[] {1L << 40, 7}));
        rt.launch(rt.kernel("test_kernels.cl", "add_one", "-DT=long"), 2, s, KernelLayout.struct("test", new int[] {2}, new int[] {1}, 0), 2);
        assertArrayEquals(new long[] {(1L << 40) + 1, 8}, ((HostStorage.Int64) rt.download(s)).data);
    }

    @Test
    void allocateZeroFillsEvenARecycledBuffer() {
        ClRuntime rt = OpenClTesting.runtime();
        ClStorage dirty = rt.upload(new HostStorage.Float32(new float[] {1, 2, 3}));
        dirty.close(); // back to the pool, contents kept
        ClStorage fresh = rt.allocate(DType.FLOAT32, 3);
        assertArrayEquals(new float[3], ((HostStorage.Float32) rt.download(fresh)).data);
    }

    @Test
    void aBuildFailureCarriesTheBuildLog() {
        ClRuntime rt = OpenClTesting.runtime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> rt.kernel("broken.cl", "broken", ""));
        assertTrue(e.getMessage().contains("broken.cl") && e.getMessage().contains("undefined_symbol_for_the_test"), e.getMessage());
    }

    @Test
    void aMissingSourceIsNamed() {
        ClRuntime rt = OpenClTesting.runtime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rt.kernel("nope.cl", "x", ""));
        assertTrue(e.getMessage().contains("nope.cl"), e.getMessage());
    }

    @Test
    void deviceSelectionByIndexNameAndDefault() {
        OpenClTesting.runtime();
        List<ClDeviceInfo> devices = ClDevices.list();
        ClDeviceInfo first = devices.get(0);
        assertEquals(first, ClDevices.select(devices, "0"));
        assertEquals(first, ClDevices.select(devices, first.name().substring(0, Math.min(4, first.name().length())).toUpperCase()));
        ClDeviceInfo automatic = ClDevices.select(devices, null);
        assertTrue(automatic.isGpu() || devices.stream().noneMatch(ClDeviceInfo::isGpu));
    }

    @Test
    void aBadDeviceChoiceListsTheDevices() {
        OpenClTesting.runtime();
        List<ClDeviceInfo> devices = ClDevices.list();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClDevices.select(devices, "no-such-device-xyz"));
        assertTrue(e.getMessage().contains("jgrad.opencl.device=no-such-device-xyz") && e.getMessage().contains(devices.get(0).name()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClDevices.select(devices, String.valueOf(devices.size())));
    }

    @Test
    void poolBucketsRoundUp() {
        assertEquals(64, ClBufferPool.bucket(0));
        assertEquals(128, ClBufferPool.bucket(65));
        assertEquals(1 << 20, ClBufferPool.bucket((1 << 20) - 3));
        assertEquals(2L << 20, ClBufferPool.bucket((1 << 20) + 1));
        assertEquals(3L << 20, ClBufferPool.bucket((2L << 20) + 1));
    }
}
