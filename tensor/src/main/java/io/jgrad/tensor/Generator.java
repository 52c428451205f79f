package io.jgrad.tensor;

/**
 * A seeded random number generator whose sequence is part of jgrad's contract: the same seed gives the
 * same numbers on every JDK and every run. It is xoshiro256** (Blackman and Vigna) seeded through
 * SplitMix64, written out here rather than borrowed from {@code java.util.random}, whose algorithms are not
 * promised to stay fixed. Not thread-safe: give each thread its own.
 */
public final class Generator {

    private long s0, s1, s2, s3;
    private double spareGaussian;
    private boolean hasSpare;

    public Generator(long seed) {
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** The step between the values of {@link #nextDouble()}: it is {@link #nextDoubleBits()} times this. */
    public static final double DOUBLE_UNIT = 0x1.0p-53;

    /** Uniform on [0, 1) with 53 random bits. */
    public double nextDouble() {
        return nextDoubleBits() * DOUBLE_UNIT;
    }

    /**
     * The 53 random bits that {@link #nextDouble()} would scale (and advances the stream as it does): bulk samplers
     * compare these integers with a precomputed cutoff instead of converting every draw.
     */
    public long nextDoubleBits() {
        return nextLong() >>> 11;
    }

    /** Uniform integer in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("nextInt: bound must be positive, got " + bound);
        long limit = (1L << 32) - ((1L << 32) % bound);
        while (true) {
            long r = nextLong() >>> 32;
            if (r < limit) return (int) (r % bound);
        }
    }

    /** Standard normal, by the Box-Muller transform (pairs; the second value is kept for the next call). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u1 = 1.0 - nextDouble(); // in (0, 1], so the log is finite
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        spareGaussian = r * Math.sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** A random permutation of {@code 0 .. n-1} (Fisher-Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
