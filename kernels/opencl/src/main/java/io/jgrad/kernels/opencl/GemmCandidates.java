package io.jgrad.kernels.opencl;

import java.util.List;

/**
 * The parameter sets the tuner tries, and the default used before (or without) tuning. Two short lists
 * rather than a full search space: CLBlast's tuner explores thousands of sets, which on PoCL (a CPU, every
 * set compiled by LLVM) would take minutes; these are the shapes known to work well on each kind of device.
 */
public final class GemmCandidates {
    private GemmCandidates() {
    }

    //                                                MWG  NWG  KWG MDIMC NDIMC VWM VWN PADA PADB
    /** GPUs: big work-group tiles with 8x8 (or 8x4) register tiles, float4 loads, KWG 16 or 32. */
    public static final List<GemmParams> GPU = List.of(
            new GemmParams(128, 128, 16, 16, 16, 4, 4, 0, 0),
            new GemmParams(128, 128, 16, 16, 16, 4, 4, 4, 4),
            new GemmParams(128, 128, 32, 16, 16, 4, 4, 4, 4),
            new GemmParams(128, 128, 8, 16, 16, 4, 4, 4, 4),
            new GemmParams(128, 64, 16, 16, 16, 4, 4, 4, 4),
            new GemmParams(64, 128, 16, 16, 16, 4, 4, 4, 4),
            new GemmParams(64, 64, 16, 8, 8, 4, 4, 4, 4),
            new GemmParams(64, 64, 32, 16, 16, 4, 4, 4, 4),
            new GemmParams(64, 64, 16, 16, 16, 2, 2, 2, 2),
            new GemmParams(32, 32, 16, 8, 8, 2, 2, 2, 2));

    /**
     * CPUs (PoCL): PoCL runs the work-items of a group as a loop that it vectorises along dimension 0, so few
     * work-items with 8x8 register tiles, float8 loads and long K slices did best in trials on a 2-core Zen 4
     * (AVX-512); few sets, as each costs an LLVM compile of about two seconds.
     */
    public static final List<GemmParams> CPU = List.of(
            new GemmParams(64, 32, 64, 8, 4, 8, 8, 0, 0),
            new GemmParams(64, 64, 64, 8, 8, 8, 8, 0, 0),
            new GemmParams(32, 32, 64, 4, 4, 8, 8, 0, 0),
            new GemmParams(32, 64, 64, 4, 8, 8, 8, 0, 0),
            new GemmParams(64, 64, 32, 8, 8, 8, 8, 0, 0),
            new GemmParams(64, 64, 16, 8, 8, 4, 4, 0, 0));

    /** The candidates for a device, those that fit it. */
    public static List<GemmParams> forDevice(ClDeviceFacts device) {
        return (device.cpu() ? CPU : GPU).stream().filter(p -> p.fits(device.maxWorkGroupSize(), device.localMemBytes(), 4)).toList();
    }

    /** The set used when the tuning cache has none for the device: the first candidate that fits it. */
    public static GemmParams defaultFor(ClDeviceFacts device) {
        List<GemmParams> fitting = forDevice(device);
        return fitting.isEmpty() ? SMALLEST : fitting.get(0);
    }

    /** 64 work-items, 1 KiB of local memory, no vectors: fits every device we know of. */
    static final GemmParams SMALLEST = new GemmParams(16, 16, 8, 8, 8, 1, 1, 0, 0);
}
