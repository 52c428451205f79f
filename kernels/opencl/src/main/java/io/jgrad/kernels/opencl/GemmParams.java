package io.jgrad.kernels.opencl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The compile-time parameters of the tiled GEMM kernel ({@code gemm.cl}), CLBlast's names: a work-group
 * computes an {@code mwg x nwg} tile of C in slices of {@code kwg} along K with {@code mdimc x ndimc}
 * work-items, each holding an {@code (mwg/mdimc) x (nwg/ndimc)} register tile; {@code vwm}/{@code vwn} are the
 * vector widths of loads from A and B; {@code pada}/{@code padb} pad the rows of the local tiles against
 * bank conflicts.
 */
public record GemmParams(int mwg, int nwg, int kwg, int mdimc, int ndimc, int vwm, int vwn, int pada, int padb) {

    private static final String[] NAMES = {"MWG", "NWG", "KWG", "MDIMC", "NDIMC", "VWM", "VWN", "PADA", "PADB"};

    public GemmParams {
        for (int v : new int[] {mwg, nwg, kwg, mdimc, ndimc, vwm, vwn}) {
            if (v < 1) throw new IllegalArgumentException("gemm parameters must be positive: " + describe(mwg, nwg, kwg, mdimc, ndimc, vwm, vwn, pada, padb));
        }
        if (pada < 0 || padb < 0) throw new IllegalArgumentException("gemm padding must be >= 0: " + describe(mwg, nwg, kwg, mdimc, ndimc, vwm, vwn, pada, padb));
    }

    public int workGroupSize() {
        return mdimc * ndimc;
    }

    /** Bytes of local memory the two staged tiles take for elements of {@code elementBytes}. */
    public long localMemoryBytes(int elementBytes) {
        return (long) kwg * (mwg + pada + nwg + padb) * elementBytes;
    }

    /**
     * Whether the kernel's shape constraints hold (the comment at the top of {@code gemm.cl}) and the
     * device can run it: work-group size and local memory.
     */
    public boolean fits(long maxWorkGroupSize, long localMemBytes, int elementBytes) {
        boolean shape = isVectorWidth(vwm) && isVectorWidth(vwn)
                && mwg % (mdimc * vwm) == 0 && nwg % (ndimc * vwn) == 0
                && kwg % vwm == 0 && kwg % vwn == 0
                && (mwg * kwg / vwm) % workGroupSize() == 0 && (nwg * kwg / vwn) % workGroupSize() == 0
                && pada % vwm == 0 && padb % vwn == 0;
        return shape && workGroupSize() <= maxWorkGroupSize && localMemoryBytes(elementBytes) <= localMemBytes;
    }

    /** The {@code -D} options that instantiate the kernel with these parameters. */
    public String defines() {
        StringBuilder sb = new StringBuilder();
        int[] values = values();
        for (int i = 0; i < NAMES.length; i++) sb.append(i == 0 ? "" : " ").append("-D").append(NAMES[i]).append('=').append(values[i]);
        return sb.toString();
    }

    /** {@code MWG=64 NWG=64 ...}, the form {@link #parse} reads (and the tuning cache stores). */
    @Override
    public String toString() {
        return describe(mwg, nwg, kwg, mdimc, ndimc, vwm, vwn, pada, padb);
    }

    /** Reads the form {@link #toString} writes; throws {@link IllegalArgumentException} naming the text otherwise. */
    public static GemmParams parse(String text) {
        Map<String, Integer> values = new LinkedHashMap<>();
        for (String part : text.trim().split("\\s+")) {
            int eq = part.indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("gemm parameters: cannot read '" + text + "'");
            try {
                values.put(part.substring(0, eq), Integer.parseInt(part.substring(eq + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("gemm parameters: cannot read '" + text + "'", e);
            }
        }
        int[] v = new int[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            Integer value = values.get(NAMES[i]);
            if (value == null) throw new IllegalArgumentException("gemm parameters: " + NAMES[i] + " missing in '" + text + "'");
            v[i] = value;
        }
        return new GemmParams(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }

    private int[] values() {
        return new int[] {mwg, nwg, kwg, mdimc, ndimc, vwm, vwn, pada, padb};
    }

    private static boolean isVectorWidth(int w) {
        return w == 1 || w == 2 || w == 4 || w == 8 || w == 16;
    }

    private static String describe(int... values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++) sb.append(i == 0 ? "" : " ").append(NAMES[i]).append('=').append(values[i]);
        return sb.toString();
    }
}
