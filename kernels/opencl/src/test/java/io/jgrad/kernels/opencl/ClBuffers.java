package io.jgrad.kernels.opencl;

import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/** Raw buffers on a runtime's context, for tests of kernels that take {@code cl_mem} (the caller releases them). */
final class ClBuffers {
    private ClBuffers() {
    }

    static cl_mem upload(ClRuntime rt, float[] data) {
        return clCreateBuffer(rt.context(), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_float * Math.max(1, data.length),
                Pointer.to(data.length == 0 ? new float[1] : data), null);
    }

    static cl_mem upload(ClRuntime rt, double[] data) {
        return clCreateBuffer(rt.context(), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_double * Math.max(1, data.length),
                Pointer.to(data.length == 0 ? new double[1] : data), null);
    }

    static float[] floats(ClRuntime rt, cl_mem buffer, int size) {
        float[] out = new float[size];
        synchronized (rt) {
            clEnqueueReadBuffer(rt.queue(), buffer, CL_TRUE, 0, (long) Sizeof.cl_float * size, Pointer.to(out), 0, null, null);
        }
        return out;
    }

    static double[] doubles(ClRuntime rt, cl_mem buffer, int size) {
        double[] out = new double[size];
        synchronized (rt) {
            clEnqueueReadBuffer(rt.queue(), buffer, CL_TRUE, 0, (long) Sizeof.cl_double * size, Pointer.to(out), 0, null, null);
        }
        return out;
    }
}
