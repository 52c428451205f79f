package io.jgrad.bench;

import io.jgrad.kernels.opencl.ClDeviceFacts;
import io.jgrad.kernels.opencl.ClRuntime;
import io.jgrad.kernels.opencl.GemmCandidates;
import io.jgrad.kernels.opencl.GemmParams;
import io.jgrad.kernels.opencl.GemmTuner;
import io.jgrad.kernels.opencl.GemmTuningCache;
import io.jgrad.kernels.opencl.OpenClBackend;
import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code jgrad bench tune-opencl}: the OpenCL SGEMM tuner, printing every candidate and the choice; and the
 * parameters {@code jgrad bench gemm --backend opencl} ({@link DeviceGemmReport}) runs with.
 */
final class OpenClReport {
    private OpenClReport() {
    }

    /** The SGEMM parameters the backend's GEMM uses, and where they come from. */
    static String gemmParameters(OpenClBackend backend) {
        ClRuntime rt = backend.runtime();
        GemmTuningCache cache = GemmTuningCache.standard();
        GemmParams params = GemmTuner.chosen(rt, cache);
        return params + (cache.lookup(ClDeviceFacts.of(rt.info())) != null ? " (tuned, from " + cache.file() + ")"
                : " (default; run 'jgrad bench tune-opencl' to tune)");
    }

    static void tune(int size, PrintStream out) {
        ClRuntime rt = ClRuntime.open();
        ClDeviceFacts device = ClDeviceFacts.of(rt.info());
        GemmTuningCache cache = GemmTuningCache.standard();
        int n = size > 0 ? size : GemmTuner.representativeSize(device);
        out.println("jgrad bench tune-opencl: " + rt.info().describe() + ", driver " + device.driver());
        out.println("candidates timed on a " + n + " x " + n + " x " + n + " float32 product (best of 3, profiling events):");
        long start = System.nanoTime();
        GemmTuner.Result result = GemmTuner.tune(rt, GemmCandidates.forDevice(device), n, 3, cache, out);
        GemmTuner.Trial best = result.trials().stream().filter(t -> t.params().equals(result.best())).findFirst().orElseThrow();
        out.println(String.format(Locale.ROOT, "chosen: %s  (%.1f GFLOP/s at n=%d; tuning took %.1f s)", result.best(), best.gflops(), n,
                (System.nanoTime() - start) * 1e-9));
        out.println("stored in " + cache.file() + " under '" + device.key() + "'");
        rt.close();
    }
}
