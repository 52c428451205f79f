package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.spi.HostStorage;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One CUDA device in use, through JCuda's driver API: its primary context, one stream, the loaded PTX modules,
 * the {@link CachingAllocator} and a pinned host buffer for transfers. Every command goes to the one stream in
 * program order, so no command waits for another; only {@link #download} (a value read on the host) and
 * {@link #synchronize} block.
 *
 * <p>Modules are the committed PTX of {@link CudaModules} for the device's target (compute_90 on Hopper and
 * newer, compute_75 elsewhere), loaded with {@code cuModuleLoadData} at first use; the driver JIT-compiles them
 * once and caches the result on disk.
 *
 * <p>Methods are synchronised: JCuda's driver calls need the context current on the calling thread, and
 * launches from several threads (a Cleaner, a data loader) must not interleave with the pinned buffer's use.
 */
public final class CudaRuntime implements AutoCloseable {

    private final CUdevice device;
    private final CUcontext context;
    private final CUstream stream;
    private final String name;
    private final int ccMajor;
    private final int ccMinor;
    private final int multiprocessors;
    private final long totalMemory;
    private final String arch;
    private final Device jgradDevice;
    private final CachingAllocator<CUdeviceptr> allocator;
    /** CUDA's limit on a grid's y and z dimensions (x allows 2^31 - 1). */
    static final int MAX_GRID_YZ = 65535;
    /** Kernels launched so far (guarded by this runtime's lock, as every launch is). */
    private long launches;
    /** Blocking reads of device memory ({@link #download}) so far. */
    private long reads;
    private final PinnedStaging staging;
    private final CudaKernelErrors errors;
    private final Map<String, CUmodule> modules = new HashMap<>();
    /** The recording under way (guarded by this runtime's lock); null when none. */
    private CudaRecording recording;
    /** Recordings begun and not yet closed (guarded by this runtime's lock): their replays use what they hold. */
    private final List<CudaRecording> openRecordings = new ArrayList<>();
    private final Map<FunctionKey, CUfunction> functions = new HashMap<>();

    private CudaRuntime(int ordinal) {
        device = new CUdevice();
        check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        context = new CUcontext();
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        byte[] nameBytes = new byte[256];
        JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, device);
        int n = 0;
        while (n < nameBytes.length && nameBytes[n] != 0) n++;
        name = new String(nameBytes, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        ccMajor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        ccMinor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        long[] total = new long[1];
        JCudaDriver.cuDeviceTotalMem(total, device);
        totalMemory = total[0];
        arch = targetFor(ccMajor, ccMinor);
        stream = new CUstream();
        check(JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        jgradDevice = new Device(Device.Kind.CUDA, ordinal);
        allocator = new CachingAllocator<>(new DriverMemory(), name);
        staging = new PinnedStaging(stream);
        errors = new CudaKernelErrors(this);
    }

    /** Initialises the driver and opens device {@code ordinal} ({@code -Djgrad.cuda.device}, default 0). */
    public static CudaRuntime open() {
        JCudaDriver.setExceptionsEnabled(false);
        check(JCudaDriver.cuInit(0), "cuInit");
        int[] count = new int[1];
        check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
        if (count[0] == 0) throw new IllegalStateException("the CUDA driver found no GPU");
        int ordinal = Integer.getInteger("jgrad.cuda.device", 0);
        if (ordinal < 0 || ordinal >= count[0]) {
            throw new IllegalArgumentException("-Djgrad.cuda.device=" + ordinal + ": there are " + count[0] + " CUDA devices (0.." + (count[0] - 1) + ")");
        }
        return new CudaRuntime(ordinal);
    }

    /** The PTX target for a compute capability: compute_90 from Hopper on, compute_75 from Turing on. */
    static String targetFor(int major, int minor) {
        if (major >= 9) return CudaModules.ARCHS.get(0);
        if (major > 7 || (major == 7 && minor >= 5)) return CudaModules.ARCHS.get(1);
        throw new IllegalStateException("CUDA device of compute capability " + major + "." + minor + " is too old: the PTX targets compute_75 and newer");
    }

    private int attribute(int attribute) {
        int[] value = new int[1];
        JCudaDriver.cuDeviceGetAttribute(value, attribute, device);
        return value[0];
    }

    /** Throws naming the call when a driver call failed. */
    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException(call + " failed: " + CUresult.stringFor(result));
        }
    }

    public String name() {
        return name;
    }

    /** Compute capability as {@code major * 10 + minor} (90 for Hopper). */
    public int computeCapability() {
        return ccMajor * 10 + ccMinor;
    }

    /** Streaming multiprocessors (132 on an H100 or H200 SXM): what a GEMM's grid must fill ({@link io.jgrad.tensor.spi.GemmSplit}). */
    public int multiprocessors() {
        return multiprocessors;
    }

    public long totalMemory() {
        return totalMemory;
    }

    /** The PTX target loaded on this device. */
    public String arch() {
        return arch;
    }

    public Device jgradDevice() {
        return jgradDevice;
    }

    public CachingAllocator<CUdeviceptr> allocator() {
        return allocator;
    }

    CUstream stream() {
        return stream;
    }

    CudaKernelErrors errors() {
        return errors;
    }

    private void makeCurrent() {
        JCudaDriver.cuCtxSetCurrent(context);
    }

    // ---- modules and launches -------------------------------------------------------------------

    /** The function {@code entry} of module {@code module} (e.g. {@code "reduce.float"}), loaded once. */
    synchronized CUfunction function(String module, String entry) {
        FunctionKey key = new FunctionKey(module, entry);
        CUfunction f = functions.get(key);
        if (f == null) {
            makeCurrent();
            CUmodule m = modules.computeIfAbsent(module, this::load);
            f = new CUfunction();
            check(JCudaDriver.cuModuleGetFunction(f, m, entry), "cuModuleGetFunction(" + module + ", " + entry + ")");
            functions.put(key, f);
        }
        return f;
    }

    /** A function's key: the parts, not one string built on every launch. */
    private record FunctionKey(String module, String entry) {
    }

    private CUmodule load(String module) {
        String resource = CudaModules.resource(arch, module);
        byte[] ptx;
        try (InputStream in = CudaRuntime.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("no PTX resource " + resource + " (run scripts/build-ptx.sh)");
            byte[] text = in.readAllBytes();
            ptx = java.util.Arrays.copyOf(text, text.length + 1); // cuModuleLoadData reads a NUL-terminated string
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
        CUmodule m = new CUmodule();
        check(JCudaDriver.cuModuleLoadData(m, ptx), "cuModuleLoadData(" + resource + ")");
        return m;
    }

    /**
     * Enqueues {@code kernel} of the module for {@code dtype} (ignored by dtype-independent kernels) on a grid of
     * {@code grid} blocks of {@code block} threads (x, y, z each). {@code args} are {@link CudaStorage} or
     * {@link CUdeviceptr} (pointers), {@code Integer}, {@code Long}, {@code Float}, {@code Double}, {@code int[]}
     * (a struct of ints: a Layout) or {@code long[]} (a struct of longs: a GEMM operand); they are checked
     * against the kernel's declared signature. Nothing is enqueued when a grid size is 0.
     */
    public synchronized void launch(CudaKernel kernel, String module, int[] grid, int[] block, Object... args) {
        for (int g : grid) if (g == 0) return;
        if (recording != null) {
            requireRecordingThread(kernel.toString());
            for (Object a : args) if (a instanceof CudaStorage st) recording.held.add(st);
        }
        if (grid[1] > MAX_GRID_YZ || grid[2] > MAX_GRID_YZ) {
            throw new IllegalArgumentException(kernel + ": grid " + Arrays.toString(grid) + " exceeds CUDA's " + MAX_GRID_YZ + " blocks in y or z");
        }
        List<String> expected = kernel.paramKinds(dtypeOf(module));
        if (expected.size() != args.length) {
            throw new IllegalArgumentException(kernel + ": " + args.length + " arguments for " + expected.size() + " parameters " + expected);
        }
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            String kind;
            if (a instanceof CudaStorage s) {
                params[i] = Pointer.to(s.pointer());
                kind = "b8";
            } else if (a instanceof CUdeviceptr p) {
                params[i] = Pointer.to(p);
                kind = "b8";
            } else if (a instanceof Integer v) {
                params[i] = Pointer.to(new int[] {v});
                kind = "b4";
            } else if (a instanceof Long v) {
                params[i] = Pointer.to(new long[] {v});
                kind = "b8";
            } else if (a instanceof Float v) {
                params[i] = Pointer.to(new float[] {v});
                kind = "f32";
            } else if (a instanceof Double v) {
                params[i] = Pointer.to(new double[] {v});
                kind = "f64";
            } else if (a instanceof int[] struct) {
                params[i] = Pointer.to(struct);
                kind = "s" + 4 * struct.length;
            } else if (a instanceof long[] struct) {
                params[i] = Pointer.to(struct);
                kind = "s" + 8 * struct.length;
            } else {
                throw new IllegalArgumentException(kernel + " argument " + i + ": unsupported type " + (a == null ? "null" : a.getClass().getName()));
            }
            if (!kind.equals(expected.get(i))) {
                throw new IllegalArgumentException(kernel + " argument " + i + ": a " + kind + " for a parameter of kind " + expected.get(i));
            }
        }
        CUfunction f = function(module, kernel.entry());
        makeCurrent();
        check(JCudaDriver.cuLaunchKernel(f, grid[0], grid[1], grid[2], block[0], block[1], block[2], 0, stream,
                Pointer.to(params), null), "cuLaunchKernel(" + kernel.entry() + ")");
        // The storages passed stay reachable until the launch is enqueued: a temporary's Cleaner must not hand its
        // block to another allocation first (after this, stream order protects it: there is one stream).
        java.lang.ref.Reference.reachabilityFence(args);
        launches++;
    }

    /** Kernels launched so far. */
    public synchronized long launches() {
        return launches;
    }

    /** Blocking reads of device memory ({@link #download}) so far. */
    public synchronized long reads() {
        return reads;
    }

    /** A 1-D launch of {@code n} threads in blocks of 256. */
    public void launch(CudaKernel kernel, String module, long n, Object... args) {
        if (n == 0) return;
        int blocks = (int) ((n + 255) / 256);
        launch(kernel, module, new int[] {blocks, 1, 1}, new int[] {256, 1, 1}, args);
    }

    /** The dtype of a per-dtype module's name ({@code reduce.double}); FLOAT32 for the others, whose signatures have no T. */
    static DType dtypeOf(String module) {
        if (module.endsWith(".double")) return DType.FLOAT64;
        if (module.endsWith(".long") && !module.startsWith("copy.")) return DType.INT64;
        return DType.FLOAT32;
    }

    // ---- recording (CUDA graphs) -------------------------------------------------------------------

    /**
     * Starts capturing this runtime's stream into a CUDA graph (relaxed mode: allocations may still reach the
     * driver); allocations go to a private pool until the recording ends. Reads, uploads and waits are refused
     * while recording (they would end the capture): see {@link io.jgrad.tensor.spi.CommandRecording}.
     */
    public synchronized CudaRecording beginRecording() {
        if (recording != null) throw new IllegalStateException("a recording is already under way on " + name);
        makeCurrent();
        // Every module loaded first: a module's first load (cuModuleLoadData, with the driver's JIT) in the middle of
        // a capture is not something the capture needs to tolerate. Best effort: a module that fails to load here
        // fails where it is first used, as it would without a recording.
        for (CudaModules.Module m : CudaModules.all()) {
            try {
                modules.computeIfAbsent(m.name(), this::load);
            } catch (RuntimeException e) {
                // reported by the launch that needs it
            }
        }
        CachingAllocator.PrivatePool<CUdeviceptr> pool = allocator.beginPool();
        int r = JCudaDriver.cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_RELAXED);
        if (r != CUresult.CUDA_SUCCESS) {
            allocator.closePool(pool);
            throw new IllegalStateException("cuStreamBeginCapture failed: " + CUresult.stringFor(r));
        }
        recording = new CudaRecording(this, pool);
        openRecordings.add(recording);
        return recording;
    }

    synchronized void endRecording(CudaRecording rec) {
        if (recording != rec || !rec.capturing) throw new IllegalStateException("this recording is not under way");
        makeCurrent();
        recording = null;
        rec.capturing = false;
        allocator.endPool();
        CUgraph graph = new CUgraph();
        int r = JCudaDriver.cuStreamEndCapture(stream, graph);
        if (r != CUresult.CUDA_SUCCESS) {
            rec.closed = true;
            rec.held.clear();
            allocator.closePool(rec.pool);
            throw new IllegalStateException("recording on " + name + " failed: cuStreamEndCapture: " + CUresult.stringFor(r)
                    + " (a command that cannot be captured was enqueued while recording)");
        }
        CUgraphExec exec = new CUgraphExec();
        r = JCudaDriver.cuGraphInstantiate(exec, graph, 0);
        if (r != CUresult.CUDA_SUCCESS) {
            JCudaDriver.cuGraphDestroy(graph);
            rec.closed = true;
            rec.held.clear();
            allocator.closePool(rec.pool);
            throw new IllegalStateException("cuGraphInstantiate failed on " + name + ": " + CUresult.stringFor(r));
        }
        rec.graph = graph;
        rec.exec = exec;
    }

    synchronized void replay(CudaRecording rec) {
        if (rec.capturing || rec.closed || rec.exec == null) throw new IllegalStateException("replay of a recording that is " + (rec.closed ? "closed" : "not ended"));
        if (recording != null) throw new IllegalStateException("replay while another recording is under way on " + name);
        makeCurrent();
        check(JCudaDriver.cuGraphLaunch(rec.exec, stream), "cuGraphLaunch");
        launches++;
    }

    synchronized void closeRecording(CudaRecording rec) {
        if (rec.closed) return;
        if (recording != null && recording != rec) requireNotRecording("closing another recording");   // its wait would end the capture
        makeCurrent();
        if (rec.capturing) {   // abandoned: end the capture and drop what it holds
            recording = null;
            rec.capturing = false;
            allocator.endPool();
            CUgraph discarded = new CUgraph();
            if (JCudaDriver.cuStreamEndCapture(stream, discarded) == CUresult.CUDA_SUCCESS) JCudaDriver.cuGraphDestroy(discarded);
        } else {
            // Replays still running use the pool's memory.
            check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
            if (rec.exec != null) JCudaDriver.cuGraphExecDestroy(rec.exec);
            if (rec.graph != null) JCudaDriver.cuGraphDestroy(rec.graph);
        }
        rec.closed = true;
        openRecordings.remove(rec);
        rec.held.clear();
        allocator.closePool(rec.pool);
        // Storages closed while held: their blocks go back now (or wait for another open recording that holds them).
        for (CudaStorage s : rec.closeAtEnd) s.close();
        rec.closeAtEnd.clear();
    }

    /**
     * Whether closing {@code s} waits for an open recording that holds it (its replays use the block); that
     * recording then closes it when it closes itself.
     */
    synchronized boolean deferClose(CudaStorage s) {
        for (CudaRecording rec : openRecordings) {
            if (rec.held.contains(s)) {
                rec.closeAtEnd.add(s);
                return true;
            }
        }
        return false;
    }

    /** Whether a step is being recorded on this runtime now. */
    synchronized boolean isRecording() {
        return recording != null;
    }

    /** Refuses commands from a thread other than the recording one: they would be captured into its graph. */
    private void requireRecordingThread(String what) {
        if (Thread.currentThread() != recording.owner) {
            throw new IllegalStateException(what + " from thread " + Thread.currentThread().getName() + " while thread " + recording.owner.getName()
                    + " records a step on " + name + ": it would be captured into that recording");
        }
    }

    /** Refuses {@code what} while recording: a wait, read or upload ends a CUDA stream capture. */
    private void requireNotRecording(String what) {
        if (recording != null) {
            throw new IllegalStateException(what + " while a step is being recorded on " + name
                    + ": a recording may not wait for the device, read from it or upload to it (see CommandRecording)");
        }
    }

    /** Waits until every enqueued command has completed; throws when one of them met bad input. */
    public synchronized void synchronize() {
        requireNotRecording("synchronize");
        makeCurrent();
        check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
        errors.throwIfReported();
    }

    // ---- memory ---------------------------------------------------------------------------------

    /** A zero-filled storage of {@code size} elements (the memset is enqueued, not waited for). */
    public CudaStorage allocate(DType dtype, int size) {
        CudaStorage s = allocateUninitialized(dtype, size);
        synchronized (this) {
            if (recording != null) requireRecordingThread("a zero-filled allocation");
            makeCurrent();
            long words = (s.byteSize() + 3) / 4;
            if (words > 0) check(JCudaDriver.cuMemsetD32Async(s.pointer(), 0, words, stream), "cuMemsetD32Async");
        }
        return s;
    }

    /** A storage whose contents are undefined, for outputs a kernel writes completely. */
    public CudaStorage allocateUninitialized(DType dtype, int size) {
        CachingAllocator.Block<CUdeviceptr> block;
        synchronized (this) {
            makeCurrent();
            block = allocator.allocate(Math.max(1, (long) size * dtype.byteSize()));
        }
        return new CudaStorage(this, dtype, size, block);
    }

    /**
     * A device copy of {@code host}, through pinned chunks ({@link PinnedStaging}): the copy is enqueued, not
     * waited for, and the caller may change {@code host} right away.
     */
    public CudaStorage upload(HostStorage host) {
        CudaStorage s = allocateUninitialized(host.dtype(), host.size());
        int perChunk = (int) (PinnedStaging.CHUNK_BYTES / host.dtype().byteSize());
        synchronized (this) {
            requireNotRecording("an upload to the device");
            makeCurrent();
            for (int first = 0; first < host.size(); first += perChunk) {
                int count = Math.min(perChunk, host.size() - first);
                PinnedStaging.Chunk chunk = staging.acquire();
                HostTransfer.toBuffer(host, first, count, chunk.buffer);
                check(JCudaDriver.cuMemcpyHtoDAsync(s.pointer().withByteOffset((long) first * host.dtype().byteSize()), chunk.host,
                        (long) count * host.dtype().byteSize(), stream), "cuMemcpyHtoDAsync");
                staging.enqueued(chunk);
            }
        }
        return s;
    }

    /** The contents of {@code storage} on the host; blocks until every command before it has run. */
    public HostStorage download(CudaStorage storage) {
        HostStorage host = HostStorage.allocate(storage.dtype(), storage.size());
        int perChunk = (int) (PinnedStaging.CHUNK_BYTES / storage.dtype().byteSize());
        synchronized (this) {
            requireNotRecording("a read from the device");
            reads++;
            makeCurrent();
            for (int first = 0; first < host.size(); first += perChunk) {
                int count = Math.min(perChunk, host.size() - first);
                PinnedStaging.Chunk chunk = staging.acquire();
                check(JCudaDriver.cuMemcpyDtoHAsync(chunk.host, storage.pointer().withByteOffset((long) first * storage.dtype().byteSize()),
                        (long) count * storage.dtype().byteSize(), stream), "cuMemcpyDtoHAsync");
                check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
                HostTransfer.fromBuffer(chunk.buffer, host, first, count);
            }
            synchronize();
        }
        return host;
    }

    /** Releases the modules, the cached blocks, the pinned buffer and the stream; live storages must not be used afterwards. */
    @Override
    public synchronized void close() {
        if (recording != null) closeRecording(recording);   // abandoned: its capture ends before the stream's wait
        makeCurrent();
        JCudaDriver.cuStreamSynchronize(stream);
        for (CUmodule m : modules.values()) JCudaDriver.cuModuleUnload(m);
        modules.clear();
        functions.clear();
        allocator.emptyCache();
        staging.release();
        errors.release();
        JCudaDriver.cuStreamDestroy(stream);
        JCudaDriver.cuDevicePrimaryCtxRelease(device);
    }

    /** {@code cuMemAlloc}/{@code cuMemFree} for the allocator (called with the runtime's lock held, context current). */
    private final class DriverMemory implements DeviceMemory<CUdeviceptr> {
        @Override
        public CUdeviceptr allocate(long bytes) throws OutOfDeviceMemory {
            CUdeviceptr p = new CUdeviceptr();
            int result = JCudaDriver.cuMemAlloc(p, bytes);
            if (result == CUresult.CUDA_ERROR_OUT_OF_MEMORY) throw new OutOfDeviceMemory(CUresult.stringFor(result));
            check(result, "cuMemAlloc(" + bytes + ")");
            return p;
        }

        @Override
        public void quiesce() {
            makeCurrent();
            check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
        }

        @Override
        public void free(CUdeviceptr block) {
            makeCurrent();
            JCudaDriver.cuMemFree(block);
        }
    }
}
