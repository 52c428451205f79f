package io.jgrad.kernels.cuda;

import io.jgrad.tensor.spi.CommandRecording;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;

/**
 * A {@link CommandRecording} on the CUDA runtime: the stream's commands captured into a CUDA graph
 * ({@code cuStreamBeginCapture} in relaxed mode, {@code cuStreamEndCapture}, {@code cuGraphInstantiate}), replayed
 * with {@code cuGraphLaunch} on the same stream. The device memory allocated while recording comes from a private
 * pool of the caching allocator ({@link CachingAllocator#beginPool}), so no other array is given memory a replay
 * writes; closing hands it back. The runtime does the driver calls under its lock ({@link CudaRuntime#beginRecording}).
 */
final class CudaRecording implements CommandRecording {

    private final CudaRuntime runtime;
    final CachingAllocator.PrivatePool<CUdeviceptr> pool;
    CUgraph graph;
    CUgraphExec exec;
    boolean capturing = true;
    boolean closed;
    /** The thread that records: another thread's commands would be captured too, so they are refused meanwhile. */
    final Thread owner = Thread.currentThread();
    /**
     * Every storage a recorded command uses, kept reachable while the recording may be replayed: an array made
     * before the recording (a parameter, a staging array) that the caller drops would otherwise go back to the
     * shared cache and be given to another array that replays then overwrite.
     */
    final java.util.Set<CudaStorage> held = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /**
     * Held storages whose owners closed them meanwhile ({@link CudaStorage#close}): their blocks go back when this
     * recording closes, not before, since every replay still uses them.
     */
    final java.util.Set<CudaStorage> closeAtEnd = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    CudaRecording(CudaRuntime runtime, CachingAllocator.PrivatePool<CUdeviceptr> pool) {
        this.runtime = runtime;
        this.pool = pool;
    }

    @Override
    public void end() {
        runtime.endRecording(this);
    }

    @Override
    public void replay() {
        runtime.replay(this);
    }

    @Override
    public void close() {
        runtime.closeRecording(this);
    }
}
