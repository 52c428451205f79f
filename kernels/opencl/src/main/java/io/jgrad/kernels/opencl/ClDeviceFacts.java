package io.jgrad.kernels.opencl;

import org.jocl.CL;

/** What the GEMM code needs to know about a device beyond {@link ClDeviceInfo}: its limits, and a key for the tuning cache. */
public record ClDeviceFacts(String platform, String name, String driver, boolean cpu, long maxWorkGroupSize,
                            long localMemBytes, boolean fp64) {

    public static ClDeviceFacts of(ClDeviceInfo info) {
        return new ClDeviceFacts(info.platformName(), info.name(), ClDevices.deviceString(info.device(), CL.CL_DRIVER_VERSION),
                info.isCpu(), ClDevices.deviceLong(info.device(), CL.CL_DEVICE_MAX_WORK_GROUP_SIZE),
                ClDevices.deviceLong(info.device(), CL.CL_DEVICE_LOCAL_MEM_SIZE), info.fp64());
    }

    /** The tuning cache's key: a driver update may change the best kernel, so it is part of the key. */
    public String key() {
        return platform + " | " + name + " | " + driver;
    }
}
