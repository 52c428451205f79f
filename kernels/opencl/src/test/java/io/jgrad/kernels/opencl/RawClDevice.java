package io.jgrad.kernels.opencl;

import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_queue_properties;
import org.junit.jupiter.api.Assumptions;

/**
 * The first OpenCL device, opened with plain JOCL for the GEMM tests (shared by the tests of one JVM, so PoCL
 * compiles each program once); tests are skipped, with the reason printed, when there is none.
 */
final class RawClDevice {
    private static RawClDevice instance;
    private static String unavailable;

    final cl_context context;
    final cl_device_id device;
    final cl_command_queue queue;

    private RawClDevice(cl_context context, cl_device_id device, cl_command_queue queue) {
        this.context = context;
        this.device = device;
        this.queue = queue;
    }

    static synchronized RawClDevice get() {
        if (instance == null && unavailable == null) {
            try {
                instance = open();
            } catch (Throwable t) {
                unavailable = t.toString();
            }
        }
        if (instance == null) {
            System.out.println("SKIPPED: no OpenCL device: " + unavailable);
            Assumptions.assumeTrue(false, "no OpenCL device: " + unavailable);
        }
        return instance;
    }

    private static RawClDevice open() {
        setExceptionsEnabled(true);
        int[] count = new int[1];
        clGetPlatformIDs(0, null, count);
        if (count[0] == 0) throw new IllegalStateException("no OpenCL platform");
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        clGetPlatformIDs(count[0], platforms, null);
        for (cl_platform_id platform : platforms) {
            int[] devices = new int[1];
            clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, devices);
            if (devices[0] == 0) continue;
            cl_device_id[] ids = new cl_device_id[devices[0]];
            clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, devices[0], ids, null);
            cl_context context = clCreateContext(null, 1, new cl_device_id[] {ids[0]}, null, null, null);
            cl_queue_properties props = new cl_queue_properties();
            cl_command_queue queue = clCreateCommandQueueWithProperties(context, ids[0], props, null);
            return new RawClDevice(context, ids[0], queue);
        }
        throw new IllegalStateException("no OpenCL device on " + count[0] + " platform(s)");
    }

    cl_mem upload(float[] data) {
        return clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_float * Math.max(1, data.length),
                Pointer.to(data.length == 0 ? new float[1] : data), null);
    }

    cl_mem upload(double[] data) {
        return clCreateBuffer(context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (long) Sizeof.cl_double * Math.max(1, data.length),
                Pointer.to(data.length == 0 ? new double[1] : data), null);
    }

    float[] download(cl_mem buffer, int size) {
        float[] out = new float[size];
        clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, (long) Sizeof.cl_float * size, Pointer.to(out), 0, null, null);
        return out;
    }

    double[] downloadDoubles(cl_mem buffer, int size) {
        double[] out = new double[size];
        clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0, (long) Sizeof.cl_double * size, Pointer.to(out), 0, null, null);
        return out;
    }
}
