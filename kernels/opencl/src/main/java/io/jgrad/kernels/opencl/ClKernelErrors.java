package io.jgrad.kernels.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_mem;

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

    /** The ops that report, by the code their kernels write. */
    private static final String[] OPS = {"", "gather", "scatterAdd", "indexSelect", "indexAdd"};
    /** flag, op code, dim size, index low word, index high word. */
    private static final int WORDS = 5;

    private final cl_mem buffer;

    ClKernelErrors(cl_context context, cl_command_queue queue) {
        buffer = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, (long) WORDS * Sizeof.cl_int, null, null);
        clear(queue);
    }

    /** The kernel argument ({@code global int* err}). */
    cl_mem buffer() {
        return buffer;
    }

    /** Throws when a kernel has reported since the last check, and clears the record; blocks on the queue. */
    void check(cl_command_queue queue) {
        int[] words = new int[WORDS];
        CL.clEnqueueReadBuffer(queue, buffer, true, 0, (long) WORDS * Sizeof.cl_int, Pointer.to(words), 0, null, null);
        if (words[0] == 0) return;
        clear(queue);
        String op = words[1] > 0 && words[1] < OPS.length ? OPS[words[1]] : "an indexing kernel";
        long index = ((long) words[4] << 32) | (words[3] & 0xffffffffL);
        throw new IndexOutOfBoundsException(op + ": index " + index + " is out of range for a dim of size " + words[2]
                + " (found on the OpenCL device by a kernel enqueued before this read; that op skipped the index)");
    }

    private void clear(cl_command_queue queue) {
        CL.clEnqueueFillBuffer(queue, buffer, Pointer.to(new int[1]), Sizeof.cl_int, 0, (long) WORDS * Sizeof.cl_int, 0, null, null);
    }

    void release() {
        CL.clReleaseMemObject(buffer);
    }
}
