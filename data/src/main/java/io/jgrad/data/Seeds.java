package io.jgrad.data;

/**
 * Seeds derived from a base seed and a stream number (an epoch). Not {@code seed + epoch}: the
 * {@link io.jgrad.tensor.Generator} seeds its four state words from {@code seed + k * 0x9E3779B97F4A7C15},
 * so seeds that differ by a multiple of that constant would share state words. Hashing both through the
 * MurmurHash3 finaliser makes related seeds unrelated.
 */
final class Seeds {

    private Seeds() {
    }

    static long derive(long seed, long stream) {
        return mix(seed ^ mix(stream + 0x632BE59BD9B4E019L));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
