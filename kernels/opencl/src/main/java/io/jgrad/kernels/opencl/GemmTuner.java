package io.jgrad.kernels.opencl;

import static org.jocl.CL.*;

import io.jgrad.tensor.DType;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * Picks the fastest {@link GemmParams} for a device: each candidate that fits is compiled, run once to warm
 * up, then timed with OpenCL profiling events on a square float32 product (the best of a few runs), and its
 * result spot-checked against a double-precision sum so that a miscompiled set cannot win. The winner is
 * stored in the {@link GemmTuningCache}.
 *
 * <p>Tuning runs only when asked ({@code ./jgrad bench tune-opencl}, or {@code -Djgrad.opencl.tune=true} for a
 * device the cache does not know); otherwise {@link #chosen} gives the cached set or the device's default, so
 * tests and ordinary runs never pay for it.
 */
public final class GemmTuner {

    /** Tune on first use when the cache has no entry for the device. */
    public static final String TUNE_PROPERTY = "jgrad.opencl.tune";
    private static final int CHECKED_ELEMENTS = 64;

    private GemmTuner() {
    }

    /** One candidate's outcome: its best time, or why it was dropped. */
    public record Trial(GemmParams params, double millis, double gflops, String failure) {
    }

    public record Result(GemmParams best, int size, List<Trial> trials) {
    }

    /** The set the backend uses: the cached one, else a fresh tuning when {@code -Djgrad.opencl.tune=true}, else the device default. */
    public static GemmParams chosen(ClRuntime runtime, GemmTuningCache cache) {
        ClDeviceFacts device = ClDeviceFacts.of(runtime.info());
        GemmParams cached = cache.lookup(device);
        if (cached != null && cached.fits(device.maxWorkGroupSize(), device.localMemBytes(), 4)) return cached;
        if (Boolean.getBoolean(TUNE_PROPERTY)) return tune(runtime, GemmCandidates.forDevice(device), representativeSize(device), 3, cache, null).best();
        return GemmCandidates.defaultFor(device);
    }

    /** The side of the timed product: big enough to fill a GPU, small enough that a slow PoCL candidate costs well under a second. */
    public static int representativeSize(ClDeviceFacts device) {
        return device.cpu() ? 512 : 2048;
    }

    /**
     * Times every candidate that fits the device on a {@code size x size x size} product ({@code reps} timed runs
     * each), stores the fastest in {@code cache} (when not null) and returns all trials; progress goes to
     * {@code log} when not null. Throws {@link IllegalStateException} when no candidate runs.
     */
    public static Result tune(ClRuntime runtime, List<GemmParams> candidates, int size, int reps, GemmTuningCache cache, PrintStream log) {
        ClDeviceFacts device = ClDeviceFacts.of(runtime.info());
        Random rnd = new Random(42);
        float[] a = random(rnd, size * size), b = random(rnd, size * size);
        cl_command_queue queue = profilingQueue(runtime);
        cl_mem ab = buffer(runtime, a), bb = buffer(runtime, b), cb = buffer(runtime, new float[size * size]);
        List<Trial> trials = new ArrayList<>();
        Trial best = null;
        try {
            for (GemmParams p : candidates) {
                Trial t = p.fits(device.maxWorkGroupSize(), device.localMemBytes(), 4)
                        ? trial(runtime, queue, p, size, reps, a, b, ab, bb, cb)
                        : new Trial(p, Double.NaN, Double.NaN, "does not fit the device");
                trials.add(t);
                if (log != null) log.println(t.failure == null ? String.format("  %-60s %9.3f ms %9.1f GFLOP/s", p, t.millis, t.gflops) : "  " + p + "  dropped: " + t.failure);
                if (t.failure == null && (best == null || t.millis < best.millis)) best = t;
            }
        } finally {
            for (cl_mem x : new cl_mem[] {ab, bb, cb}) clReleaseMemObject(x);
            clReleaseCommandQueue(queue);
        }
        if (best == null) throw new IllegalStateException("gemm tuning: no candidate ran on " + device.name() + ": " + trials);
        if (cache != null) cache.store(device, best.params);
        return new Result(best.params, size, trials);
    }

    private static Trial trial(ClRuntime runtime, cl_command_queue queue, GemmParams p, int size, int reps,
                               float[] a, float[] b, cl_mem ab, cl_mem bb, cl_mem cb) {
        try {
            ClGemm gemm = new ClGemm(runtime, queue, p);
            GemmOperand ao = new GemmOperand(ab, 0, size, 1, 0), bo = new GemmOperand(bb, 0, size, 1, 0), co = new GemmOperand(cb, 0, size, 1, 0);
            gemm.gemm(DType.FLOAT32, size, size, size, 1, 1.0, ao, bo, 0.0, co); // compiles and warms up
            clFinish(queue);
            double best = Double.POSITIVE_INFINITY;
            for (int r = 0; r < reps; r++) {
                cl_event event = new cl_event();
                gemm.enqueue(DType.FLOAT32, size, size, size, 1, 1.0, ao, bo, 0.0, co, event);
                clWaitForEvents(1, new cl_event[] {event});
                best = Math.min(best, (profile(event, CL_PROFILING_COMMAND_END) - profile(event, CL_PROFILING_COMMAND_START)) * 1e-6);
                clReleaseEvent(event);
            }
            String wrong = spotCheck(queue, a, b, cb, size);
            if (wrong != null) return new Trial(p, best, Double.NaN, wrong);
            return new Trial(p, best, 2.0 * size * size * size / (best * 1e6), null);
        } catch (RuntimeException e) {
            return new Trial(p, Double.NaN, Double.NaN, e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        }
    }

    /** Compares a few elements of C with double sums; returns what is wrong, or null. */
    private static String spotCheck(cl_command_queue queue, float[] a, float[] b, cl_mem cb, int size) {
        float[] c = new float[size * size];
        clEnqueueReadBuffer(queue, cb, CL_TRUE, 0, (long) Sizeof.cl_float * c.length, Pointer.to(c), 0, null, null);
        Random rnd = new Random(7);
        for (int t = 0; t < CHECKED_ELEMENTS; t++) {
            int i = rnd.nextInt(size), j = rnd.nextInt(size);
            double sum = 0, abs = 0;
            for (int k = 0; k < size; k++) {
                sum += (double) a[i * size + k] * b[k * size + j];
                abs += Math.abs((double) a[i * size + k] * b[k * size + j]);
            }
            if (!(Math.abs(c[i * size + j] - sum) <= 1e-6 * size * abs + 1e-6)) return "wrong result at (" + i + ", " + j + "): " + c[i * size + j] + " vs " + sum;
        }
        return null;
    }

    @SuppressWarnings("deprecation") // clCreateCommandQueue is the call OpenCL 1.2 platforms (NVIDIA's) have
    private static cl_command_queue profilingQueue(ClRuntime runtime) {
        return clCreateCommandQueue(runtime.context(), runtime.device(), CL_QUEUE_PROFILING_ENABLE, null);
    }

    private static long profile(cl_event event, int what) {
        long[] value = new long[1];
        clGetEventProfilingInfo(event, what, Sizeof.cl_ulong, Pointer.to(value), null);
        return value[0];
    }

    private static cl_mem buffer(ClRuntime runtime, float[] data) {
        return clCreateBuffer(runtime.context(), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_float * data.length, Pointer.to(data), null);
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
