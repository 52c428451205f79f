package io.jgrad.kernels.cpu;

/**
 * Scratch buffers of one thread (packed GEMM panels, im2col columns, partial sums), grown on demand and kept
 * for the next call, so that kernels allocate nothing once they have run at a size. A buffer holds garbage
 * from its last use: kernels write before they read.
 */
final class Workspace {

    /** What a buffer is for; two slots never alias, so a kernel may hold several at once. */
    enum Slot {
        PACKED_A, PACKED_B, SHARED_B, SPLAT_A, SPLAT_B, TILE, COLUMNS, PARTIAL, WEIGHT_ROWS, PACKED_WEIGHTS, DOT_SUMS, SMALL_A, ATTENTION, MATH, LANES, EXPONENTIALS
    }

    private static final ThreadLocal<Workspace> LOCAL = ThreadLocal.withInitial(Workspace::new);

    private final float[][] buffers = new float[Slot.values().length][];
    private boolean[] flags;
    private int[] integers;

    private Workspace() {
    }

    /** The calling thread's workspace. */
    static Workspace local() {
        return LOCAL.get();
    }

    /** A buffer of at least {@code size} floats for {@code slot}. */
    float[] floats(Slot slot, int size) {
        float[] b = buffers[slot.ordinal()];
        if (b == null || b.length < size) {
            b = new float[size];
            buffers[slot.ordinal()] = b;
        }
        return b;
    }

    /** A buffer of at least {@code size} ints (offset tables). */
    int[] ints(int size) {
        if (integers == null || integers.length < size) integers = new int[size];
        return integers;
    }

    /** A buffer of at least {@code size} booleans (masks). */
    boolean[] booleans(int size) {
        if (flags == null || flags.length < size) flags = new boolean[size];
        return flags;
    }
}
