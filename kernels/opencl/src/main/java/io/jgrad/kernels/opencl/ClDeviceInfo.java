package io.jgrad.kernels.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * One OpenCL device as discovery found it. {@code index} is its position in {@link ClDevices#list()}, the
 * number {@code -Djgrad.opencl.device=N} refers to.
 */
public record ClDeviceInfo(int index, String platformName, String name, String type, boolean fp64,
                           long globalMemBytes, int computeUnits, String version,
                           cl_platform_id platform, cl_device_id device) {

    public boolean isGpu() {
        return type.equals("GPU");
    }

    public boolean isCpu() {
        return type.equals("CPU");
    }

    /** One line for {@code jgrad info} and error messages, e.g. {@code #0 pthread-skylake (CPU, Portable Computing Language, ...)}. */
    public String describe() {
        return "#" + index + " " + name + " (" + type + ", " + platformName + ", " + version + ", " + computeUnits + " compute units, "
                + (globalMemBytes >> 20) + " MiB, fp64 " + (fp64 ? "yes" : "no") + ")";
    }
}
