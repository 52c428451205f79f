package io.jgrad.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tuner on a tiny candidate list and a temporary cache, and the cache's handling of bad files. */
class GemmTunerTest {

    private static final ClDeviceFacts SOME_DEVICE = new ClDeviceFacts("Platform \"X\"", "Device", "1.0", true, 1024, 65536, false);

    @Test
    void tunesPicksAFittingCandidateAndCachesIt(@TempDir Path dir) {
        ClRuntime rt = OpenClTesting.runtime();
        GemmTuningCache cache = new GemmTuningCache(dir.resolve("sub/tuning.json"));
        List<GemmParams> candidates = List.of(new GemmParams(32, 32, 16, 8, 8, 2, 4, 2, 4), GemmCandidates.SMALLEST,
                new GemmParams(64, 64, 16, 8, 8, 4, 4, 0, 0));
        GemmTuner.Result result = GemmTuner.tune(rt, candidates, 96, 1, cache, System.out);
        assertTrue(candidates.contains(result.best()), result.toString());
        assertEquals(3, result.trials().size());
        for (GemmTuner.Trial t : result.trials()) assertNull(t.failure(), t.toString());
        assertEquals(result.best(), cache.lookup(ClDeviceFacts.of(rt.info())));
        assertEquals(result.best(), GemmTuner.chosen(rt, cache));
    }

    @Test
    void cacheRoundTripsSeveralDevices(@TempDir Path dir) {
        GemmTuningCache cache = new GemmTuningCache(dir.resolve("tuning.json"));
        ClDeviceFacts other = new ClDeviceFacts("P", "Q", "2", false, 256, 49152, true);
        cache.store(SOME_DEVICE, GemmCandidates.SMALLEST);
        cache.store(other, GemmCandidates.GPU.get(0));
        assertEquals(GemmCandidates.SMALLEST, cache.lookup(SOME_DEVICE));
        assertEquals(GemmCandidates.GPU.get(0), new GemmTuningCache(dir.resolve("tuning.json")).lookup(other));
    }

    @Test
    void corruptCacheIsIgnoredThenRewritten(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tuning.json");
        for (String bad : List.of("{\"a\": \"MWG=1\" \"b\"", "not json", "{\"" + SOME_DEVICE.key() + "\": \"MWG=banana\"}", "\u0000\u0001")) {
            Files.writeString(file, bad);
            GemmTuningCache cache = new GemmTuningCache(file);
            assertNull(cache.lookup(SOME_DEVICE), bad);
            cache.store(SOME_DEVICE, GemmCandidates.SMALLEST);
            assertEquals(GemmCandidates.SMALLEST, cache.lookup(SOME_DEVICE), bad);
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void paramsParseWhatTheyPrintAndRejectNonsense() {
        for (GemmParams p : GemmCandidates.GPU) assertEquals(p, GemmParams.parse(p.toString()));
        assertThrows(IllegalArgumentException.class, () -> GemmParams.parse("MWG=64"));
        assertThrows(IllegalArgumentException.class, () -> GemmParams.parse("MWG=x NWG=1"));
        assertThrows(IllegalArgumentException.class, () -> new GemmParams(0, 64, 16, 8, 8, 4, 4, 0, 0));
        assertTrue(!new GemmParams(64, 64, 16, 8, 8, 4, 4, 0, 0).fits(32, 1 << 20, 4), "64 work-items exceed a limit of 32");
        assertTrue(!new GemmParams(64, 64, 16, 8, 8, 3, 4, 0, 0).fits(1024, 1 << 20, 4), "vector width 3");
    }
}
