package io.jgrad.kernels.cuda;

import io.jgrad.tensor.spi.KernelErrorRecord;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * Bad input found by a kernel (an index outside its dim): the device-side record of {@link KernelErrorRecord},
 * read at every blocking read of the runtime, so the exception arrives at the next host read, as CUDA's
 * device-side asserts do, but as a Java exception that leaves the context usable.
 */
final class CudaKernelErrors {

    private final CudaRuntime runtime;
    private final CUdeviceptr buffer = new CUdeviceptr();

    CudaKernelErrors(CudaRuntime runtime) {
        this.runtime = runtime;
        CudaRuntime.check(JCudaDriver.cuMemAlloc(buffer, 4L * KernelErrorRecord.WORDS), "cuMemAlloc");
        clear();
    }

    /** The kernel argument ({@code global int* err}). */
    CUdeviceptr buffer() {
        return buffer;
    }

    /** Reads the record (the stream is drained: the caller just synchronised) and throws when it holds a report. */
    void throwIfReported() {
        int[] words = new int[KernelErrorRecord.WORDS];
        CudaRuntime.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(words), buffer, 4L * words.length), "cuMemcpyDtoH");
        if (!KernelErrorRecord.reported(words)) return;
        clear();
        throw KernelErrorRecord.exception(words, "CUDA (" + runtime.name() + ")");
    }

    /**
     * Zeroes the record on the runtime's stream, so that it is ordered before every later kernel (a synchronous
     * memset goes to the legacy stream, which a non-blocking stream does not wait for).
     */
    private void clear() {
        CudaRuntime.check(JCudaDriver.cuMemsetD32Async(buffer, 0, KernelErrorRecord.WORDS, runtime.stream()), "cuMemsetD32Async");
    }

    void release() {
        JCudaDriver.cuMemFree(buffer);
    }
}
