package io.jgrad.kernels.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed set of daemon threads that run the tasks of one kernel call together with the calling thread.
 * Threads are started once, never per call, and nothing is allocated per call.
 *
 * <p>A call {@code run(n, body)} runs {@code body.run(0) ... body.run(n-1)}, each exactly once, on whichever
 * thread claims it first, and returns when all have finished. Results are deterministic as long as every task
 * writes its own part of the output and computes it the same way whichever thread runs it; kernels therefore
 * split their work by the shape of the problem, never by which thread is free, and combine partial results in
 * task order. A call from inside a task, or while another thread's call is running, runs its tasks serially on
 * the calling thread.
 *
 * <p>The caller claims tasks too and waits only for the tasks, not for the workers: a worker that wakes late
 * (on a busy machine) finds nothing left to claim and costs the call nothing. Kernel calls come in bursts (a
 * training step is dozens of them) and waking a blocked thread costs tens of microseconds on a VM, so idle
 * workers and the waiting caller first spin for {@link #SPIN_NANOS} ({@link Thread#onSpinWait}) before they
 * block.
 */
final class KernelPool {

    /** One unit of parallel work. */
    interface Body {
        void run(int task);
    }

    /** The items {@code from .. to-1} of a range split by {@link #runRanges}. */
    interface RangeBody {
        void run(int from, int to);
    }

    private static final class Shared {
        static final KernelPool POOL = new KernelPool(configuredThreads());
    }

    /** How long an idle worker, or a caller waiting for the last tasks, spins before it blocks. */
    static final long SPIN_NANOS = 50_000;

    private final int threads;
    private final Object lock = new Object();
    private final AtomicBoolean busy = new AtomicBoolean();
    /** The current job's number (high 32 bits) and its next unclaimed task (low 32 bits), claimed by CAS. */
    private final AtomicLong claims = new AtomicLong();
    /** Tasks of the current job that have finished. */
    private final AtomicInteger completed = new AtomicInteger();
    // The current job: written under lock before generation moves on, read by workers under lock after.
    private Body body;
    private int taskCount;
    private volatile int generation;
    private volatile Throwable failure;

    KernelPool(int threads) {
        this.threads = Math.max(1, threads);
        for (int i = 1; i < this.threads; i++) {
            Thread t = new Thread(this::work, "jgrad-kernel-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    /** The pool of the vector backend: {@code -Djgrad.threads=N}, else one thread per available processor. */
    static KernelPool shared() {
        return Shared.POOL;
    }

    static int configuredThreads() {
        int available = Runtime.getRuntime().availableProcessors();
        String value = System.getProperty("jgrad.threads");
        if (value == null || value.isBlank()) return available;
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        System.err.println("jgrad: ignoring -Djgrad.threads=" + value + " (expected a positive integer); using " + available);
        return available;
    }

    /** Number of threads a call can use, the caller's included. */
    int threads() {
        return threads;
    }

    /** Runs tasks {@code 0 .. tasks-1} of {@code body} and waits for all of them; rethrows the first failure. */
    void run(int tasks, Body body) {
        run(tasks, body, true);
    }

    /**
     * As {@link #run(int, Body)}; when {@code parallel} is false (the work is too small to be worth waking
     * the other threads) every task runs on the calling thread.
     */
    void run(int tasks, Body body, boolean parallel) {
        if (tasks <= 0) return;
        if (!parallel || tasks == 1 || threads == 1 || !busy.compareAndSet(false, true)) {
            for (int t = 0; t < tasks; t++) body.run(t);
            return;
        }
        try {
            int job;
            synchronized (lock) {
                job = generation + 1;
                this.body = body;
                this.taskCount = tasks;
                this.failure = null;
                completed.set(0);
                claims.set((long) job << 32);
                generation = job;
                lock.notifyAll();
            }
            claimTasks(job, body, tasks);
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (completed.get() < tasks && System.nanoTime() < spinUntil) Thread.onSpinWait();
            boolean interrupted = false;
            synchronized (lock) {
                while (completed.get() < tasks) interrupted |= waitOn();
                this.body = null;
            }
            if (interrupted) Thread.currentThread().interrupt(); // kept for the caller, after the tasks are done
            Throwable e = failure;
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error r) throw r;
            if (e != null) throw new IllegalStateException(e);
        } finally {
            busy.set(false);
        }
    }

    /**
     * Splits items {@code 0 .. count-1}, each worth {@code workPerItem} (e.g. elements touched), into at most
     * {@link #threads()} contiguous ranges of at least {@code minWork} work each, and runs them.
     */
    void runRanges(int count, long workPerItem, long minWork, RangeBody body) {
        long total = (long) count * Math.max(1, workPerItem);
        int tasks = (int) Math.max(1, Math.min(Math.min(count, threads), total / Math.max(1, minWork)));
        Ranges ranges = RANGES.get();
        if (ranges.body != null) ranges = new Ranges(); // called from inside a range of this thread
        ranges.count = count;
        ranges.tasks = tasks;
        ranges.body = body;
        try {
            run(tasks, ranges);
        } finally {
            ranges.body = null;
        }
    }

    private static final ThreadLocal<Ranges> RANGES = ThreadLocal.withInitial(Ranges::new);

    /** The tasks of {@link #runRanges}: task t covers items {@code count·t/tasks .. count·(t+1)/tasks - 1}. Reused per thread. */
    private static final class Ranges implements Body {
        int count, tasks;
        RangeBody body;

        @Override
        public void run(int t) {
            body.run((int) ((long) count * t / tasks), (int) ((long) count * (t + 1) / tasks));
        }
    }

    /** Claims and runs tasks of job {@code job} until none is left (or the job is over); after a failure the rest are skipped. */
    private void claimTasks(int job, Body body, int tasks) {
        while (true) {
            long c = claims.get();
            int task = (int) c;
            if ((int) (c >>> 32) != job || task >= tasks) return;
            if (!claims.compareAndSet(c, c + 1)) continue;
            try {
                if (failure == null) body.run(task);
            } catch (Throwable e) {
                if (failure == null) failure = e;
            }
            if (completed.incrementAndGet() == tasks) {
                synchronized (lock) {
                    lock.notifyAll();
                }
            }
        }
    }

    private void work() {
        int seen = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (generation == seen && System.nanoTime() < spinUntil) Thread.onSpinWait();
            int job;
            Body jobBody;
            int tasks;
            synchronized (lock) {
                while (generation == seen) waitOn();
                job = generation;
                jobBody = body;
                tasks = taskCount;
            }
            seen = job;
            if (jobBody != null) claimTasks(job, jobBody, tasks);
        }
    }

    /** Waits on {@code lock} (held by the caller); true when the wait was interrupted. */
    private boolean waitOn() {
        try {
            lock.wait();
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }
}
