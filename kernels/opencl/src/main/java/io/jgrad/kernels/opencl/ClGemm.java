package io.jgrad.kernels.opencl;

import static org.jocl.CL.*;

import io.jgrad.tensor.DType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * Batched strided GEMM on one OpenCL device and queue: {@code C = alpha * A * B + beta * C} for
 * {@code batches} products of {@code M x K} by {@code K x N}, each operand a {@link GemmOperand} (any strides,
 * so transposes cost nothing). Big products run the tiled kernel of {@code gemm.cl} with one
 * {@link GemmParams} set; small ones, where a tile would be mostly empty, a one-element-per-work-item kernel.
 * Programs are built on first use per dtype and kept; calls are serialised (kernel arguments are state).
 */
public final class ClGemm implements AutoCloseable {

    /** Products with fewer multiply-adds than this, or a side under {@link #MIN_TILED_SIDE}, take the small kernel. */
    static final long MIN_TILED_WORK = 64L * 64 * 64;
    static final int MIN_TILED_SIDE = 16;
    /** Batches per launch: NVIDIA limits the third NDRange dimension to 65535 groups. */
    static final int MAX_BATCHES_PER_LAUNCH = 65535;
    private static final int SMALL_LOCAL = 8;

    private final cl_context context;
    private final cl_device_id device;
    private final cl_command_queue queue;
    private final ClDeviceFacts facts;
    private final GemmParams params;
    private final Map<DType, Kernels> kernels = new EnumMap<>(DType.class);

    /** The tiled and small kernels of one program (one dtype). */
    private record Kernels(cl_program program, cl_kernel tiled, cl_kernel small, GemmParams params) {
    }

    public ClGemm(cl_context context, cl_device_id device, cl_command_queue queue, GemmParams params) {
        setExceptionsEnabled(true);
        this.context = context;
        this.device = device;
        this.queue = queue;
        this.facts = ClDeviceFacts.of(device);
        this.params = params;
        if (!params.fits(facts.maxWorkGroupSize(), facts.localMemBytes(), 4))
            throw new IllegalArgumentException("gemm: parameters " + params + " do not fit device " + facts.name()
                    + " (max work-group size " + facts.maxWorkGroupSize() + ", local memory " + facts.localMemBytes() + " bytes)");
    }

    public GemmParams params() {
        return params;
    }

    public ClDeviceFacts device() {
        return facts;
    }

    /**
     * BLAS-style entry: row-major matrices with leading dimensions, {@code op(X) = X^T} when {@code transX}, and
     * batches spaced by the strides.
     */
    public void gemm(DType dtype, boolean transA, boolean transB, int m, int n, int k, double alpha,
                     cl_mem a, int offA, int lda, int strideA, cl_mem b, int offB, int ldb, int strideB,
                     double beta, cl_mem c, int offC, int ldc, int strideC, int batches) {
        gemm(dtype, m, n, k, batches, alpha, GemmOperand.rowMajor(a, offA, lda, transA, strideA),
                GemmOperand.rowMajor(b, offB, ldb, transB, strideB), beta, GemmOperand.rowMajor(c, offC, ldc, false, strideC));
    }

    /** {@code C = alpha * A * B + beta * C} for every batch; C is not read when beta is 0. */
    public void gemm(DType dtype, int m, int n, int k, int batches, double alpha, GemmOperand a, GemmOperand b,
                     double beta, GemmOperand c) {
        enqueue(dtype, m, n, k, batches, alpha, a, b, beta, c, null);
    }

    /** As {@link #gemm}, and, when {@code event} is not null and there is one launch, its event (for the tuner's timing). */
    synchronized void enqueue(DType dtype, int m, int n, int k, int batches, double alpha, GemmOperand a, GemmOperand b,
                              double beta, GemmOperand c, cl_event event) {
        if (m == 0 || n == 0 || batches == 0) return;
        if (c.colStride() == 1 && c.rowStride() != 1) {
            // The kernel's first NDRange dimension (the one work-items are consecutive in) runs along M; with a
            // row-major C, compute C^T = B^T A^T so that it runs along C's rows, and stores coalesce.
            int t = m;
            m = n;
            n = t;
            GemmOperand at = b.transposed();
            b = a.transposed();
            a = at;
            c = c.transposed();
        }
        Kernels ks = kernels(dtype);
        boolean tiled = (long) m * n * k >= MIN_TILED_WORK && Math.min(m, n) >= MIN_TILED_SIDE;
        for (int first = 0; first < batches; first += MAX_BATCHES_PER_LAUNCH) {
            int count = Math.min(MAX_BATCHES_PER_LAUNCH, batches - first);
            cl_kernel kernel = tiled ? ks.tiled() : ks.small();
            setArguments(kernel, dtype, m, n, k, alpha, beta, a.skip(first), b.skip(first), c.skip(first));
            long[] global, local;
            if (tiled) {
                GemmParams p = ks.params();
                global = new long[] {ceilDiv(m, p.mwg()) * (long) p.mdimc(), ceilDiv(n, p.nwg()) * (long) p.ndimc(), count};
                local = new long[] {p.mdimc(), p.ndimc(), 1};
            } else {
                global = new long[] {ceilDiv(m, SMALL_LOCAL) * (long) SMALL_LOCAL, ceilDiv(n, SMALL_LOCAL) * (long) SMALL_LOCAL, count};
                local = new long[] {SMALL_LOCAL, SMALL_LOCAL, 1};
            }
            boolean last = first + count >= batches;
            clEnqueueNDRangeKernel(queue, kernel, 3, null, global, local, 0, null, last ? event : null);
        }
    }

    private static void setArguments(cl_kernel kernel, DType dtype, int m, int n, int k, double alpha, double beta,
                                     GemmOperand a, GemmOperand b, GemmOperand c) {
        int i = 0;
        i = intArg(kernel, i, m, n, k);
        if (dtype == DType.FLOAT64) {
            clSetKernelArg(kernel, i++, Sizeof.cl_double, Pointer.to(new double[] {alpha}));
            clSetKernelArg(kernel, i++, Sizeof.cl_double, Pointer.to(new double[] {beta}));
        } else {
            clSetKernelArg(kernel, i++, Sizeof.cl_float, Pointer.to(new float[] {(float) alpha}));
            clSetKernelArg(kernel, i++, Sizeof.cl_float, Pointer.to(new float[] {(float) beta}));
        }
        // A by (row, k) strides, B by (k, column) strides, C by (row, column) strides: the kernel's order.
        i = operandArgs(kernel, i, a);
        i = operandArgs(kernel, i, b);
        operandArgs(kernel, i, c);
    }

    private static int operandArgs(cl_kernel kernel, int i, GemmOperand x) {
        clSetKernelArg(kernel, i++, Sizeof.cl_mem, Pointer.to(x.buffer()));
        return intArg(kernel, i, x.offset(), x.rowStride(), x.colStride(), x.batchStride());
    }

    private static int intArg(cl_kernel kernel, int i, int... values) {
        for (int v : values) clSetKernelArg(kernel, i++, Sizeof.cl_int, Pointer.to(new int[] {v}));
        return i;
    }

    private Kernels kernels(DType dtype) {
        Kernels ks = kernels.get(dtype);
        if (ks != null) return ks;
        GemmParams p = params;
        if (dtype == DType.FLOAT64) {
            if (!facts.fp64()) throw new UnsupportedOperationException("gemm: float64 needs cl_khr_fp64, which " + facts.name() + " lacks");
            // Doubles take twice the local memory: fall back to the small safe set where the tuned one no longer fits.
            if (!p.fits(facts.maxWorkGroupSize(), facts.localMemBytes(), 8)) p = GemmCandidates.SMALLEST;
        } else if (dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("gemm: dtype must be float32 or float64, got " + dtype);
        }
        String options = "-DPRECISION=" + (dtype == DType.FLOAT64 ? 64 : 32) + " " + p.defines();
        cl_program program = build(context, device, source(), options);
        ks = new Kernels(program, clCreateKernel(program, "gemm_tiled", null), clCreateKernel(program, "gemm_small", null), p);
        kernels.put(dtype, ks);
        return ks;
    }

    /** Compiles {@code source} with {@code options}; a failed build throws with the compiler's log. */
    static cl_program build(cl_context context, cl_device_id device, String source, String options) {
        cl_program program = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        try {
            clBuildProgram(program, 1, new cl_device_id[] {device}, options, null, null);
        } catch (org.jocl.CLException e) {
            String log = buildLog(program, device);
            clReleaseProgram(program);
            throw new IllegalStateException("OpenCL build failed (" + options + "): " + e.getMessage() + "\n" + log, e);
        }
        return program;
    }

    private static String buildLog(cl_program program, cl_device_id device) {
        long[] size = new long[1];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) size[0]];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return new String(log, StandardCharsets.UTF_8).trim();
    }

    private static String source() {
        try (InputStream in = ClGemm.class.getResourceAsStream("gemm.cl")) {
            if (in == null) throw new IllegalStateException("gemm.cl missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read gemm.cl", e);
        }
    }

    private static long ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public synchronized void close() {
        for (Kernels ks : kernels.values()) {
            clReleaseKernel(ks.tiled());
            clReleaseKernel(ks.small());
            clReleaseProgram(ks.program());
        }
        kernels.clear();
    }
}
