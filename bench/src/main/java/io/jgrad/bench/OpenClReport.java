package io.jgrad.bench;

import static org.jocl.CL.*;

import io.jgrad.kernels.opencl.ClDeviceFacts;
import io.jgrad.kernels.opencl.ClGemm;
import io.jgrad.kernels.opencl.ClRuntime;
import io.jgrad.kernels.opencl.GemmCandidates;
import io.jgrad.kernels.opencl.GemmOperand;
import io.jgrad.kernels.opencl.GemmTuner;
import io.jgrad.kernels.opencl.GemmTuningCache;
import io.jgrad.tensor.DType;
import io.jgrad.tensor.spi.Backend;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Random;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * {@code jgrad bench gemm --backend opencl} and {@code jgrad bench tune-opencl}: the OpenCL SGEMM
 * ({@link ClGemm} with the tuned, or default, parameters of the chosen device) in GFLOP/s beside the Vector API
 * backend on all cores, size by size in one run; and the tuner, printing every candidate and the choice.
 */
final class OpenClReport {
    private OpenClReport() {
    }

    static void gemm(int[] sizes, PrintStream out) {
        ClRuntime rt = ClRuntime.open();
        GemmTuningCache cache = GemmTuningCache.standard();
        ClGemm gemm = new ClGemm(rt, GemmTuner.chosen(rt, cache));
        ClDeviceFacts device = gemm.device();
        out.println("jgrad bench gemm --backend opencl: float32 C = A·B, n x n, GFLOP/s = 2n^3 / median time");
        Machine.describe(out);
        out.println("OpenCL device: " + rt.info().describe() + ", driver " + device.driver());
        out.println("OpenCL parameters: " + gemm.params() + (cache.lookup(device) != null ? " (tuned, from " + cache.file() + ")"
                : " (default; run 'jgrad bench tune-opencl' to tune)"));
        out.println("OpenCL time: enqueue to clFinish of the product alone (operands resident on the device); vector: matmul with its result allocated");
        int all = Machine.cores();
        Backend vector = Machine.vectorActive() ? Machine.jgrad(all) : null;
        out.println();
        out.println(String.format(Locale.ROOT, "%6s | %10s | %10s | %8s", "n", "opencl", "vector " + all + "t", "cl/vec"));
        double last = Double.NaN;
        int lastN = 0;
        for (int n : sizes) {
            double cl = openClGflops(rt, gemm, n);
            Double vec = vector == null ? null : GemmReport.gflops(vector, n);
            Double r = vec == null ? null : cl / vec;
            out.println(String.format(Locale.ROOT, "%6d | %10.1f | %s | %s", n, cl, Machine.cell(vec, 10, "%.1f"), Machine.cell(r, 8, "%.2f")));
            lastN = n;
            last = r == null ? Double.NaN : r;
        }
        out.println();
        out.println(String.format(Locale.ROOT, "gemm n=%d opencl/vector: %s", lastN, GemmReport.ratioText(last)));
        rt.close();
    }

    static double openClGflops(ClRuntime rt, ClGemm gemm, int n) {
        Random rnd = new Random(n);
        float[] a = new float[n * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
        cl_mem ab = buffer(rt, a), bb = buffer(rt, a), cb = buffer(rt, new float[n * n]);
        GemmOperand ao = new GemmOperand(ab, 0, n, 1, 0), bo = new GemmOperand(bb, 0, n, 1, 0), co = new GemmOperand(cb, 0, n, 1, 0);
        double seconds = Timing.medianSeconds(() -> {
            gemm.gemm(DType.FLOAT32, n, n, n, 1, 1.0, ao, bo, 0.0, co);
            rt.finish();
        });
        for (cl_mem x : new cl_mem[] {ab, bb, cb}) clReleaseMemObject(x);
        return 2.0 * n * n * n / seconds / 1e9;
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

    private static cl_mem buffer(ClRuntime rt, float[] data) {
        return clCreateBuffer(rt.context(), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_float * data.length, Pointer.to(data), null);
    }
}
