package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.KernelDefines;
import io.jgrad.tensor.spi.KernelLayout;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One OpenCL device in use: its context, one in-order command queue, the compiled programs and the buffer
 * pool. Every kernel of the backend is enqueued here, so the queue's order is the program order and no
 * command needs an event to wait for another; only {@link #download} (a value read on the host) blocks.
 *
 * <p>Kernel sources are resources {@code io/jgrad/kernels/opencl/NAME.cl}. Each is compiled at first use
 * with {@code dialect.h} (the macros shared with the CUDA build) and {@code common.cl} (the {@code Layout} struct and its index helpers) in front and the caller's
 * {@code -D} defines (e.g. {@code -DT=float}); programs are cached per (source, defines) and kernels per
 * (source, defines, name), because the platform compiler takes seconds (PoCL runs LLVM) where a launch takes
 * microseconds.
 *
 * <p>Launches are serialised on this object: a {@code cl_kernel}'s arguments are shared state, so setting them
 * and enqueuing must not interleave with another thread's launch of the same kernel.
 */
public final class ClRuntime implements AutoCloseable {

    /** Resource directory of the kernel sources. */
    static final String SOURCES = "/io/jgrad/kernels/opencl/";
    /** The headers prepended to every program: the dialect macros (shared with the CUDA build), then the Layout helpers. */
    static final String DIALECT = "dialect.h";
    static final String COMMON = "common.cl";
    /** Uploads not yet known to be complete may pin this many bytes of host buffers before the queue is drained. */
    private static final long MAX_PINNED_UPLOAD_BYTES = 64L << 20;

    private final ClDeviceInfo info;
    private final Device jgradDevice;
    private final cl_context context;
    private final cl_command_queue queue;
    private final ClBufferPool pool;
    private final ClKernelErrors errors;
    private final String baseOptions;
    private final Map<ProgramKey, cl_program> programs = new HashMap<>();
    private final Map<KernelKey, cl_kernel> kernels = new HashMap<>();
    /**
     * The argument values each kernel holds: OpenCL keeps a kernel's arguments from launch to launch, and each
     * clSetKernelArg is a JNI call (about half a microsecond through JOCL, most of a small launch's host time),
     * so {@link #setArgs} sets only those that changed. Buffers are held as their {@code cl_mem} (compared by
     * identity: the pool hands a reused buffer back as the same object), structs as copies.
     */
    private final Map<cl_kernel, Object[]> heldArgs = new IdentityHashMap<>();
    private final Map<String, String> sources = new HashMap<>();
    /** Host buffers of non-blocking uploads, kept reachable until the queue has certainly read them. */
    private final List<ByteBuffer> pendingUploads = new ArrayList<>();
    private long pendingUploadBytes;
    private long launches;
    private long reads;

    private ClRuntime(ClDeviceInfo info, Device jgradDevice) {
        this.info = info;
        this.jgradDevice = jgradDevice;
        cl_context_properties properties = new cl_context_properties();
        properties.addProperty(CL.CL_CONTEXT_PLATFORM, info.platform());
        this.context = CL.clCreateContext(properties, 1, new cl_device_id[] {info.device()}, null, null, null);
        this.queue = createQueue(context, info.device());
        this.pool = new ClBufferPool(context, Math.max(64L << 20, info.globalMemBytes() / 4));
        this.errors = new ClKernelErrors(context, queue);
        StringBuilder options = new StringBuilder();
        if (info.fp64()) options.append(" -DJGRAD_FP64");
        // Division and sqrt correctly rounded where the device offers it, so the fused optimiser steps give the
        // bits of the composed ones; OpenCL's default allows 2.5 ulp for float division and 3 ulp for sqrt.
        long singleConfig = ClDevices.deviceLong(info.device(), CL.CL_DEVICE_SINGLE_FP_CONFIG);
        if ((singleConfig & CL.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0) options.append(" -cl-fp32-correctly-rounded-divide-sqrt");
        this.baseOptions = options.toString().trim();
    }

    /** Discovers the devices and opens the one chosen by {@link ClDevices#select} with {@code -Djgrad.opencl.device}. */
    public static ClRuntime open() {
        List<ClDeviceInfo> devices = ClDevices.list();
        ClDeviceInfo chosen = ClDevices.select(devices, System.getProperty(ClDevices.PROPERTY));
        return new ClRuntime(chosen, new Device(Device.Kind.OPENCL, 0));
    }

    @SuppressWarnings("deprecation") // clCreateCommandQueue is the call OpenCL 1.2 platforms (NVIDIA's) have
    private static cl_command_queue createQueue(cl_context context, cl_device_id device) {
        return CL.clCreateCommandQueue(context, device, 0, null);
    }

    public ClDeviceInfo info() {
        return info;
    }

    /** The jgrad device arrays of this runtime live on. */
    public Device jgradDevice() {
        return jgradDevice;
    }

    public cl_context context() {
        return context;
    }

    public cl_command_queue queue() {
        return queue;
    }

    public cl_device_id device() {
        return info.device();
    }

    ClBufferPool pool() {
        return pool;
    }

    /** Where kernels record bad input (an out-of-range index); checked at every blocking read. */
    cl_mem errors() {
        return errors.buffer();
    }

    /** The OpenCL C type of a dtype's elements ({@link KernelDefines#typeName}). */
    public static String typeName(DType dtype) {
        return KernelDefines.typeName(dtype);
    }

    /** The build options that template a source on {@code dtype} ({@link KernelDefines#typeDefines}). */
    public static String typeDefines(DType dtype) {
        return KernelDefines.typeDefines(dtype);
    }

    /** Throws naming the op and the device when this device cannot hold {@code dtype} (float64 without cl_khr_fp64). */
    public void requireSupported(DType dtype, String op) {
        if (dtype == DType.FLOAT64 && !info.fp64()) {
            throw new UnsupportedOperationException(op + ": OpenCL device '" + info.name() + "' has no float64 support (no cl_khr_fp64); "
                    + "use float32, or choose another device with -D" + ClDevices.PROPERTY);
        }
    }

    // ---- programs -------------------------------------------------------------------------------

    /**
     * The kernel {@code name} of resource {@code resource} (e.g. {@code "elementwise.cl"}) compiled with
     * {@code defines} (build options such as {@code "-DT=float"}); compiled once, then cached.
     */
    public synchronized cl_kernel kernel(String resource, String name, String defines) {
        KernelKey key = new KernelKey(resource, defines, name);
        cl_kernel kernel = kernels.get(key);
        if (kernel == null) {
            cl_program program = programs.computeIfAbsent(new ProgramKey(resource, defines), k -> build(resource, defines));
            kernel = CL.clCreateKernel(program, name, null);
            kernels.put(key, kernel);
        }
        return kernel;
    }

    // Keys of parts, not one concatenated string: this lookup runs on every launch, and the defines (KernelDefines'
    // strings, one instance each, their hashes cached) are hundreds of characters that a new string would hash again.
    private record ProgramKey(String resource, String defines) {
    }

    private record KernelKey(String resource, String defines, String name) {
    }

    private cl_program build(String resource, String defines) {
        String source = source(DIALECT) + "\n" + source(COMMON) + "\n" + source(resource);
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        String options = (baseOptions + " " + defines).trim();
        try {
            CL.clBuildProgram(program, 1, new cl_device_id[] {info.device()}, options, null, null);
        } catch (CLException e) {
            String log = buildLog(program);
            CL.clReleaseProgram(program);
            throw new IllegalStateException("OpenCL build of " + resource + " with options '" + options + "' failed on '" + info.name() + "' ("
                    + e.getMessage() + "); build log:\n" + log, e);
        }
        return program;
    }

    private String buildLog(cl_program program) {
        long[] size = new long[1];
        CL.clGetProgramBuildInfo(program, info.device(), CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(program, info.device(), CL.CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        int n = log.length;
        while (n > 0 && log[n - 1] == 0) n--;
        return new String(log, 0, n, StandardCharsets.UTF_8);
    }

    private String source(String resource) {
        return sources.computeIfAbsent(resource, r -> {
            try (InputStream in = ClRuntime.class.getResourceAsStream(SOURCES + r)) {
                if (in == null) throw new IllegalArgumentException("no OpenCL source resource " + SOURCES + r);
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("reading OpenCL source " + r, e);
            }
        });
    }

    // ---- launches -------------------------------------------------------------------------------

    /** Local memory of {@code bytes} bytes as a kernel argument ({@code __local T*}). */
    public record LocalMemory(long bytes) {
    }

    /** Enqueues a 1-D launch of {@code globalSize} work-items (the driver picks the work-group size). */
    public void launch(cl_kernel kernel, long globalSize, Object... args) {
        launch(kernel, new long[] {globalSize}, null, args);
    }

    /**
     * Enqueues a launch. {@code args} are, in order, {@link ClStorage} or {@code cl_mem} (a buffer),
     * {@code Integer}, {@code Long}, {@code Float}, {@code Double} (scalars of the OpenCL types int, long,
     * float, double), {@code int[]} (a by-value struct made of ints, such as a {@link KernelLayout}) or
     * {@link LocalMemory}. Nothing is enqueued when a global size is 0.
     */
    public synchronized void launch(cl_kernel kernel, long[] global, long[] local, Object... args) {
        for (long g : global) if (g == 0) return;
        setArgs(kernel, args);
        CL.clEnqueueNDRangeKernel(queue, kernel, global.length, null, global, local, 0, null, null);
        launches++;
    }

    /** Counts a launch enqueued outside {@link #launch} (the GEMM's, with its own work-group sizes); callers hold the lock. */
    void countLaunch() {
        launches++;
    }

    /** Kernels enqueued so far. */
    public synchronized long launches() {
        return launches;
    }

    /** Blocking reads of device memory ({@link #download}) so far. */
    public synchronized long reads() {
        return reads;
    }

    /**
     * Sets {@code kernel}'s arguments (the types {@link #launch} takes) for its next enqueue, skipping each that
     * equals the value the kernel already holds; callers hold the lock.
     */
    void setArgs(cl_kernel kernel, Object... args) {
        Object[] held = heldArgs.computeIfAbsent(kernel, k -> new Object[0]);
        if (held.length < args.length) {
            held = Arrays.copyOf(held, args.length);
            heldArgs.put(kernel, held);
        }
        for (int i = 0; i < args.length; i++) {
            Object value = args[i] instanceof ClStorage s ? s.buffer() : args[i];
            if (isHeld(held[i], value)) continue;
            held[i] = null;   // unknown if setArg throws
            setArg(kernel, i, value);
            held[i] = value instanceof int[] struct ? struct.clone() : value;
        }
    }

    private static boolean isHeld(Object held, Object value) {
        if (held == null) return false;
        if (value instanceof cl_mem) return held == value;
        if (value instanceof int[] struct) return held instanceof int[] h && Arrays.equals(h, struct);
        return held.getClass() == value.getClass() && held.equals(value);   // boxed scalars by bits, LocalMemory by size
    }

    private static void setArg(cl_kernel kernel, int index, Object arg) {
        if (arg instanceof cl_mem m) {
            CL.clSetKernelArg(kernel, index, Sizeof.cl_mem, Pointer.to(m));
        } else if (arg instanceof Integer v) {
            CL.clSetKernelArg(kernel, index, Sizeof.cl_int, Pointer.to(new int[] {v}));
        } else if (arg instanceof Long v) {
            CL.clSetKernelArg(kernel, index, Sizeof.cl_long, Pointer.to(new long[] {v}));
        } else if (arg instanceof Float v) {
            CL.clSetKernelArg(kernel, index, Sizeof.cl_float, Pointer.to(new float[] {v}));
        } else if (arg instanceof Double v) {
            CL.clSetKernelArg(kernel, index, Sizeof.cl_double, Pointer.to(new double[] {v}));
        } else if (arg instanceof int[] struct) {
            CL.clSetKernelArg(kernel, index, (long) Sizeof.cl_int * struct.length, Pointer.to(struct));
        } else if (arg instanceof LocalMemory l) {
            CL.clSetKernelArg(kernel, index, l.bytes(), null);
        } else {
            throw new IllegalArgumentException("kernel argument " + index + ": unsupported type " + (arg == null ? "null" : arg.getClass().getName()));
        }
    }

    /** Waits until every enqueued command has completed; throws when one of them met bad input. */
    public synchronized void finish() {
        errors.enqueueRead(queue, false);
        CL.clFinish(queue);
        pendingUploads.clear();
        pendingUploadBytes = 0;
        errors.throwIfReported(queue);
    }

    // ---- memory ---------------------------------------------------------------------------------

    /** A zero-filled storage of {@code size} elements (the fill is enqueued, not waited for). */
    public ClStorage allocate(DType dtype, int size) {
        ClStorage s = allocateUninitialized(dtype, size);
        synchronized (this) {
            CL.clEnqueueFillBuffer(queue, s.buffer(), Pointer.to(new int[1]), Sizeof.cl_int, 0, s.capacityBytes(), 0, null, null);
        }
        return s;
    }

    /** A storage whose contents are undefined, for outputs a kernel writes completely. */
    public ClStorage allocateUninitialized(DType dtype, int size) {
        requireSupported(dtype, "allocate");
        long bucket = ClBufferPool.bucket((long) size * dtype.byteSize());
        return new ClStorage(this, dtype, size, pool.acquire(bucket), bucket);
    }

    /**
     * A device copy of {@code host}. The write is not waited for: the data goes through a direct buffer that
     * stays reachable until the queue is next drained, so the caller may change {@code host} right away.
     */
    public ClStorage upload(HostStorage host) {
        ClStorage s = allocateUninitialized(host.dtype(), host.size());
        ByteBuffer bytes = ByteBuffer.allocateDirect((int) Math.max(s.byteSize(), 1)).order(ByteOrder.nativeOrder());
        if (host instanceof HostStorage.Float32 f) bytes.asFloatBuffer().put(f.data);
        else if (host instanceof HostStorage.Float64 d) bytes.asDoubleBuffer().put(d.data);
        else bytes.asLongBuffer().put(((HostStorage.Int64) host).data);
        if (s.byteSize() == 0) return s;
        synchronized (this) {
            CL.clEnqueueWriteBuffer(queue, s.buffer(), false, 0, s.byteSize(), Pointer.to(bytes), 0, null, null);
            pendingUploads.add(bytes);
            pendingUploadBytes += s.byteSize();
            if (pendingUploadBytes > MAX_PINNED_UPLOAD_BYTES) finish();
        }
        return s;
    }

    /** The contents of {@code storage} on the host; blocks until every command before it has run. */
    public HostStorage download(ClStorage storage) {
        HostStorage host = HostStorage.allocate(storage.dtype(), storage.size());
        Pointer target = host instanceof HostStorage.Float32 f ? Pointer.to(f.data)
                : host instanceof HostStorage.Float64 d ? Pointer.to(d.data)
                : Pointer.to(((HostStorage.Int64) host).data);
        synchronized (this) {
            reads++;
            boolean hasData = storage.byteSize() > 0;
            errors.enqueueRead(queue, !hasData);   // completed by the blocking data read behind it
            if (hasData) CL.clEnqueueReadBuffer(queue, storage.buffer(), true, 0, storage.byteSize(), target, 0, null, null);
            // A blocking read completes every earlier command of the in-order queue, uploads included.
            pendingUploads.clear();
            pendingUploadBytes = 0;
            errors.throwIfReported(queue);
        }
        return host;
    }

    /** Releases the programs, the cached buffers, the queue and the context; live storages must not be used afterwards. */
    @Override
    public synchronized void close() {
        CL.clFinish(queue);
        for (cl_kernel k : kernels.values()) CL.clReleaseKernel(k);
        for (cl_program p : programs.values()) CL.clReleaseProgram(p);
        kernels.clear();
        heldArgs.clear();
        programs.clear();
        pool.trim();
        errors.release();
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
    }
}
