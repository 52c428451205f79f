package io.jgrad.kernels.cpu;

import io.jgrad.tensor.spi.Storage;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Weights packed once and reused while they do not change: a weight multiplied again and again (every
 * inference call, every step of a recurrent layer) is otherwise packed on every product. Two kinds: the B operand
 * of a matrix product ({@link VectorGemm#packAllB}), and a convolution's weights packed as the A operand of every
 * group ({@code VectorConvolution}). An entry is found by the operand's storage (held weakly, so a dead weight
 * frees its entry) and a key of what was packed and how (kind, offset, strides, sizes, the micro-panel size), and
 * is valid while the storage's version counter is what it was when packed: every
 * in-place write (an optimiser step, {@code assign}, {@code fill}) bumps the counter and so invalidates it.
 *
 * <p>Admission on second sight: the first product with an operand only records its key, the second packs it
 * into the cache. Activations and gradients, new arrays every time, never get past the first sight, so they
 * cost the cache nothing and do not evict the weights. Bounded: {@link #CAPACITY} entries (least recently
 * used goes) of at most {@link #MAX_FLOATS} floats each. Thread-safe: lookups hold a lock; an entry's packed
 * array is written (outside the lock) only by the one product that holds it alone, and read without the lock
 * while the entry's user count is above zero; a product that finds the entry busy being packed packs for itself.
 */
final class PackedWeights {

    /** Entries kept; the least recently used goes first. */
    static final int CAPACITY = 16;
    /** Largest packed operand cached (2 MB: the weights of the bench models fit): larger ones are packed per product as before. */
    static final int MAX_FLOATS = 1 << 19;

    private static final AtomicLong HITS = new AtomicLong();
    private static final AtomicLong PACKS = new AtomicLong();

    /** Key kinds: a matrix product's B operand, a convolution's weights as A operands. */
    static final int B_OPERAND = 0, CONV_WEIGHTS = 1;

    /** Writes an operand's packed form into the array given (of the entry's size). */
    interface Packer {
        void pack(float[] into);
    }

    /** One operand: its key, and the packed panels once admitted. */
    static final class Entry {
        private final WeakReference<Storage> storage;
        private final int[] key;
        private int version;
        private long lastUse;
        private int users;
        /** Whether {@link #packed} holds the operand at {@link #version} (false while it is being packed). */
        private boolean ready;
        /** Null until the second sight; layout of {@link VectorGemm#packAllB}. */
        private float[] packed;

        private Entry(Storage storage, int[] key, int version) {
            this.storage = new WeakReference<>(storage);
            this.key = key;
            this.version = version;
        }

        boolean matches(Storage s, int[] key) {
            return storage.get() == s && java.util.Arrays.equals(this.key, key);
        }

        /** The packed panels (valid between {@link #acquire} and {@link #release}). */
        float[] packed() {
            return packed;
        }
    }

    private static final Entry[] ENTRIES = new Entry[CAPACITY];
    private static long clock;

    private PackedWeights() {
    }

    /** Whether a {@code k x n} operand packed to {@code nr}-wide panels is small enough to cache. */
    static boolean fits(int k, int n, int nr) {
        return (long) k * VectorGemm.roundUp(n, nr) <= MAX_FLOATS;
    }

    /**
     * The packed panels of the {@code k x n} operand at {@code offset} of {@code storage} (array {@code b}), or
     * null when it is seen for the first time (the caller packs as usual). A non-null entry must be given back
     * with {@link #release}.
     */
    static Entry acquire(Storage storage, float[] b, int offset, int rs, int cs, int k, int n, int nr) {
        return acquire(storage, new int[] {B_OPERAND, offset, rs, cs, k, n, nr}, k * VectorGemm.roundUp(n, nr),
                into -> VectorGemm.packAllB(k, n, b, offset, rs, cs, into, nr));
    }

    /**
     * The packed form ({@code size} floats, written by {@code packer}) of the operand that {@code key} describes in
     * {@code storage}, or null when it is seen for the first time or busy (the caller packs as usual). A non-null
     * entry must be given back with {@link #release}. The key must say everything the packed form depends on.
     */
    static Entry acquire(Storage storage, int[] key, int size, Packer packer) {
        Entry entry;
        synchronized (PackedWeights.class) {
            int slot = -1, free = -1;
            for (int i = 0; i < CAPACITY; i++) {
                Entry e = ENTRIES[i];
                if (e == null || e.storage.get() == null) {
                    if (e == null || e.users == 0) free = free < 0 ? i : free;
                    continue;
                }
                if (e.matches(storage, key)) {
                    slot = i;
                    break;
                }
            }
            int version = storage.version();
            if (slot < 0) {
                // first sight: remember the key only
                int victim = free >= 0 ? free : leastRecentlyUsedIdle();
                if (victim >= 0) {
                    Entry e = new Entry(storage, key, version);
                    e.lastUse = ++clock;
                    ENTRIES[victim] = e;
                }
                return null;
            }
            entry = ENTRIES[slot];
            entry.lastUse = ++clock;
            if (entry.ready && entry.version == version) {
                entry.users++;
                HITS.incrementAndGet();
                return entry;
            }
            // Second sight, or changed since packed: pack it now, unless another product reads or packs this
            // entry at the moment (then this product packs for itself, as without the cache).
            if (entry.users > 0) return null;
            entry.version = version;
            entry.ready = false;
            entry.users++;
            if (entry.packed == null || entry.packed.length != size) entry.packed = new float[size];
        }
        try {
            packer.pack(entry.packed);
        } catch (RuntimeException | Error e) {
            release(entry);
            throw e;
        }
        synchronized (PackedWeights.class) {
            entry.ready = true;
        }
        PACKS.incrementAndGet();
        return entry;
    }

    static void release(Entry entry) {
        synchronized (PackedWeights.class) {
            entry.users--;
        }
    }

    /** The idle entry to replace: one seen only once if any (activations), else the least recently used. */
    private static int leastRecentlyUsedIdle() {
        int victim = -1;
        for (int i = 0; i < CAPACITY; i++) {
            Entry e = ENTRIES[i];
            if (e.users > 0) continue;
            if (victim < 0) {
                victim = i;
                continue;
            }
            Entry v = ENTRIES[victim];
            boolean eAdmitted = e.packed != null, vAdmitted = v.packed != null;
            if (eAdmitted != vAdmitted ? vAdmitted : e.lastUse < v.lastUse) victim = i;
        }
        return victim;
    }

    /** Products that found their operand packed (for tests and profiles). */
    static long hits() {
        return HITS.get();
    }

    /** Operands packed into the cache (the second sight, and again after each change). */
    static long packs() {
        return PACKS.get();
    }

    /** Forgets every entry (tests). */
    static synchronized void clear() {
        for (int i = 0; i < CAPACITY; i++) {
            if (ENTRIES[i] != null && ENTRIES[i].users == 0) ENTRIES[i] = null;
        }
    }
}
