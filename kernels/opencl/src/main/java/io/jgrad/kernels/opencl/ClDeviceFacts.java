package io.jgrad.kernels.opencl;

import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** What the GEMM code needs to know about a device: its identity (for the tuning cache) and its limits. */
public record ClDeviceFacts(String platform, String name, String driver, boolean cpu, long maxWorkGroupSize,
                            long localMemBytes, boolean fp64) {

    public static ClDeviceFacts of(cl_device_id device) {
        cl_platform_id[] platform = new cl_platform_id[1];
        clGetDeviceInfo(device, CL_DEVICE_PLATFORM, Sizeof.cl_platform_id, Pointer.to(platform), null);
        long[] type = new long[1];
        clGetDeviceInfo(device, CL_DEVICE_TYPE, Sizeof.cl_long, Pointer.to(type), null);
        long[] fp64Config = new long[1];
        clGetDeviceInfo(device, CL_DEVICE_DOUBLE_FP_CONFIG, Sizeof.cl_long, Pointer.to(fp64Config), null);
        return new ClDeviceFacts(platformString(platform[0], CL_PLATFORM_NAME), deviceString(device, CL_DEVICE_NAME),
                deviceString(device, CL_DRIVER_VERSION), (type[0] & CL_DEVICE_TYPE_CPU) != 0,
                deviceSize(device, CL_DEVICE_MAX_WORK_GROUP_SIZE), deviceLong(device, CL_DEVICE_LOCAL_MEM_SIZE), fp64Config[0] != 0);
    }

    /** The tuning cache's key: a driver update may change the best kernel, so it is part of the key. */
    public String key() {
        return platform + " | " + name + " | " + driver;
    }

    private static String deviceString(cl_device_id device, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(device, param, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        clGetDeviceInfo(device, param, bytes.length, Pointer.to(bytes), null);
        return trimNul(bytes);
    }

    private static String platformString(cl_platform_id platform, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(platform, param, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        clGetPlatformInfo(platform, param, bytes.length, Pointer.to(bytes), null);
        return trimNul(bytes);
    }

    private static long deviceLong(cl_device_id device, int param) {
        long[] value = new long[1];
        clGetDeviceInfo(device, param, Sizeof.cl_long, Pointer.to(value), null);
        return value[0];
    }

    private static long deviceSize(cl_device_id device, int param) {
        long[] value = new long[1];
        clGetDeviceInfo(device, param, Sizeof.size_t, Pointer.to(value), null);
        return value[0];
    }

    private static String trimNul(byte[] bytes) {
        int n = bytes.length;
        while (n > 0 && bytes[n - 1] == 0) n--;
        return new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8).trim();
    }
}
