package io.jgrad.kernels.opencl;

import io.jgrad.tensor.spi.KernelErrorRecord;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_mem;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Bad input found by a kernel. The indexing kernels cannot throw, and checking their int64 indices on the
 * host would mean reading every index array back (a blocking read inside each step). Instead a kernel that
 * meets an index outside its dim records the first one in this small device buffer (see
 * {@code report_bad_index} in {@code common.cl}), skips it, and the runtime reads the buffer at its next
 * blocking read of a value, where it throws naming the op, the index and the dim size. This is CUDA's
 * device-side assert turned into a Java exception: it arrives at the next host read, not at the launch, but
 * it always arrives, and nothing read on the host is silently wrong.
 */
final class ClKernelErrors {

    private static final int WORDS = KernelErrorRecord.WORDS;

    private final cl_mem buffer;
    /** Host copy of the record, filled by {@link #enqueueRead} (direct: JOCL reads non-blocking only into those). */
    private final ByteBuffer words = ByteBuffer.allocateDirect(WORDS * Sizeof.cl_int).order(ByteOrder.nativeOrder());

    ClKernelErrors(cl_context context, cl_command_queue queue) {
        buffer = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, (long) WORDS * Sizeof.cl_int, null, null);
        clear(queue);
    }

    /** The kernel argument ({@code global int* err}). */
    cl_mem buffer() {
        return buffer;
    }

    /**
     * Enqueues the read of the record into host memory, behind every kernel enqueued so far. Non-blocking when
     * the caller's next command blocks anyway (a data read, clFinish), so a host read costs one sync, not two;
     * {@link #throwIfReported} is then called after that command. Callers hold the runtime's lock.
     */
    void enqueueRead(cl_command_queue queue, boolean blocking) {
        CL.clEnqueueReadBuffer(queue, buffer, blocking, 0, (long) WORDS * Sizeof.cl_int, Pointer.to(words), 0, null, null);
    }

    /** Throws when the record read by {@link #enqueueRead} (now complete) holds a report, and clears the record. */
    void throwIfReported(cl_command_queue queue) {
        if (word(0) == 0) return;
        clear(queue);
        int[] record = new int[WORDS];
        for (int i = 0; i < WORDS; i++) record[i] = word(i);
        words.putInt(0, 0);
        throw KernelErrorRecord.exception(record, "OpenCL");
    }

    private int word(int i) {
        return words.getInt(i * Sizeof.cl_int);
    }

    private void clear(cl_command_queue queue) {
        CL.clEnqueueFillBuffer(queue, buffer, Pointer.to(new int[1]), Sizeof.cl_int, 0, (long) WORDS * Sizeof.cl_int, 0, null, null);
    }

    void release() {
        CL.clReleaseMemObject(buffer);
    }
}
