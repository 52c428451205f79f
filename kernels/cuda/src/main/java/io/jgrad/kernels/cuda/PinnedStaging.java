package io.jgrad.kernels.cuda;

import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Pinned (page-locked) host chunks for transfers. An upload copies its data into a chunk and enqueues the DMA
 * from there without waiting; the chunk is reused once an event recorded behind that copy has completed. New
 * chunks are allocated while the total stays under {@link #MAX_BYTES}; beyond, the stream is drained, so an
 * upload blocks only when many megabytes of uploads are still in flight. Used under the runtime's lock.
 */
final class PinnedStaging {

    /** Size of one chunk; larger transfers go in pieces. */
    static final long CHUNK_BYTES = 4L << 20;
    /** Pinned memory held at most. */
    static final long MAX_BYTES = 64L << 20;

    /** One chunk: its host address, a view of it, and the event of the last copy that read or wrote it. */
    static final class Chunk {
        final Pointer host = new Pointer();
        final ByteBuffer buffer;
        final CUevent done = new CUevent();
        boolean pending;

        Chunk() {
            CudaRuntime.check(JCudaDriver.cuMemAllocHost(host, CHUNK_BYTES), "cuMemAllocHost(" + CHUNK_BYTES + ")");
            buffer = host.getByteBuffer(0, CHUNK_BYTES).order(ByteOrder.nativeOrder());
            CudaRuntime.check(JCudaDriver.cuEventCreate(done, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
        }
    }

    private final CUstream stream;
    private final List<Chunk> chunks = new ArrayList<>();

    PinnedStaging(CUstream stream) {
        this.stream = stream;
    }

    /** A chunk no copy still uses. */
    Chunk acquire() {
        for (Chunk c : chunks) {
            if (!c.pending) return c;
            if (JCudaDriver.cuEventQuery(c.done) == CUresult.CUDA_SUCCESS) {
                c.pending = false;
                return c;
            }
        }
        if ((chunks.size() + 1) * CHUNK_BYTES <= MAX_BYTES) {
            Chunk c = new Chunk();
            chunks.add(c);
            return c;
        }
        CudaRuntime.check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
        for (Chunk c : chunks) c.pending = false;
        return chunks.get(0);
    }

    /** Marks {@code chunk} in use by the copy just enqueued on the stream. */
    void enqueued(Chunk chunk) {
        CudaRuntime.check(JCudaDriver.cuEventRecord(chunk.done, stream), "cuEventRecord");
        chunk.pending = true;
    }

    void release() {
        for (Chunk c : chunks) {
            JCudaDriver.cuEventDestroy(c.done);
            JCudaDriver.cuMemFreeHost(c.host);
        }
        chunks.clear();
    }
}
