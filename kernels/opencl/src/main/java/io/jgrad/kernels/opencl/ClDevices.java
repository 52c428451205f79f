package io.jgrad.kernels.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Discovery of OpenCL platforms and devices, and the choice of the device jgrad runs on: the property
 * {@value #PROPERTY} (an index into {@link #list()} or a case-insensitive substring of a device name) when
 * set, otherwise the first GPU, otherwise the first CPU, otherwise the first device of any kind.
 */
public final class ClDevices {

    public static final String PROPERTY = "jgrad.opencl.device";

    private ClDevices() {
    }

    /**
     * Every device of every platform, in platform order. Throws {@link IllegalStateException} with the cause
     * when there is no OpenCL library or no platform.
     */
    public static List<ClDeviceInfo> list() {
        CL.setExceptionsEnabled(true);
        int[] count = new int[1];
        try {
            CL.clGetPlatformIDs(0, null, count);
        } catch (LinkageError e) {
            throw new IllegalStateException("the OpenCL library could not be loaded (" + e.getMessage()
                    + "); install an ICD loader and a driver, e.g. ocl-icd-libopencl1 and pocl-opencl-icd", e);
        } catch (RuntimeException e) {
            // The ICD loader answers CL_PLATFORM_NOT_FOUND_KHR (-1001) when no driver is registered.
            throw new IllegalStateException(NO_PLATFORM + " (" + e.getMessage() + ")", e);
        }
        if (count[0] == 0) throw new IllegalStateException(NO_PLATFORM);
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        CL.clGetPlatformIDs(platforms.length, platforms, null);
        List<ClDeviceInfo> devices = new ArrayList<>();
        for (cl_platform_id platform : platforms) {
            String platformName = platformString(platform, CL.CL_PLATFORM_NAME);
            int[] n = new int[1];
            try {
                CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, 0, null, n);
            } catch (RuntimeException e) {
                continue; // CL_DEVICE_NOT_FOUND: a platform without devices
            }
            cl_device_id[] ids = new cl_device_id[n[0]];
            CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, ids.length, ids, null);
            for (cl_device_id id : ids) devices.add(describe(devices.size(), platform, platformName, id));
        }
        return devices;
    }

    /**
     * One line per OpenCL device, the one {@link #select} picks marked, or a single line with the reason there
     * is none; for {@code jgrad info}. Never throws.
     */
    public static List<String> report() {
        try {
            List<ClDeviceInfo> devices = list();
            if (devices.isEmpty()) return List.of("no OpenCL device found on any platform");
            ClDeviceInfo chosen = null;
            String choiceError = null;
            try {
                chosen = select(devices, System.getProperty(PROPERTY));
            } catch (RuntimeException e) {
                choiceError = e.getMessage().lines().findFirst().orElse("");
            }
            List<String> lines = new ArrayList<>();
            for (ClDeviceInfo d : devices) lines.add(d.describe() + (d.equals(chosen) ? "  <- used" : ""));
            if (choiceError != null) lines.add(choiceError);
            return lines;
        } catch (RuntimeException | LinkageError e) {
            return List.of("none: " + e.getMessage());
        }
    }

    static final String NO_PLATFORM = "no OpenCL platform found (install an ICD such as pocl-opencl-icd)";

    /** The device named by {@code choice} (the property's value, or null for the automatic choice). */
    public static ClDeviceInfo select(List<ClDeviceInfo> devices, String choice) {
        if (devices.isEmpty()) throw new IllegalStateException("no OpenCL device found on any platform");
        if (choice == null || choice.isBlank()) {
            for (ClDeviceInfo d : devices) if (d.isGpu()) return d;
            for (ClDeviceInfo d : devices) if (d.isCpu()) return d;
            return devices.get(0);
        }
        String wanted = choice.trim();
        if (wanted.chars().allMatch(Character::isDigit)) {
            int index = Integer.parseInt(wanted);
            if (index < devices.size()) return devices.get(index);
        } else {
            String needle = wanted.toLowerCase(Locale.ROOT);
            for (ClDeviceInfo d : devices) if (d.name().toLowerCase(Locale.ROOT).contains(needle)) return d;
        }
        StringBuilder sb = new StringBuilder("-D" + PROPERTY + "=" + choice + " matches no OpenCL device (give an index or part of a name); devices:");
        for (ClDeviceInfo d : devices) sb.append("\n  ").append(d.describe());
        throw new IllegalArgumentException(sb.toString());
    }

    private static ClDeviceInfo describe(int index, cl_platform_id platform, String platformName, cl_device_id id) {
        long type = deviceLong(id, CL.CL_DEVICE_TYPE);
        String typeName = (type & CL.CL_DEVICE_TYPE_GPU) != 0 ? "GPU"
                : (type & CL.CL_DEVICE_TYPE_CPU) != 0 ? "CPU"
                : (type & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0 ? "ACCELERATOR" : "OTHER";
        String extensions = deviceString(id, CL.CL_DEVICE_EXTENSIONS);
        boolean fp64 = extensions.contains("cl_khr_fp64");
        int[] units = new int[1];
        CL.clGetDeviceInfo(id, CL.CL_DEVICE_MAX_COMPUTE_UNITS, Sizeof.cl_uint, Pointer.to(units), null);
        return new ClDeviceInfo(index, platformName, deviceString(id, CL.CL_DEVICE_NAME).trim(), typeName, fp64,
                deviceLong(id, CL.CL_DEVICE_GLOBAL_MEM_SIZE), units[0], deviceString(id, CL.CL_DEVICE_VERSION).trim(), platform, id);
    }

    static long deviceLong(cl_device_id id, int param) {
        long[] value = new long[1];
        CL.clGetDeviceInfo(id, param, Sizeof.cl_ulong, Pointer.to(value), null);
        return value[0];
    }

    static String deviceString(cl_device_id id, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(id, param, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        CL.clGetDeviceInfo(id, param, buffer.length, Pointer.to(buffer), null);
        return cString(buffer);
    }

    private static String platformString(cl_platform_id id, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(id, param, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        CL.clGetPlatformInfo(id, param, buffer.length, Pointer.to(buffer), null);
        return cString(buffer);
    }

    private static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) n++;
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }
}
