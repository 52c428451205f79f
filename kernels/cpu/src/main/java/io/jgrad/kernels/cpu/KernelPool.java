package io.jgrad.kernels.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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

    private final int threads;
    private final Object lock = new Object();
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger nextTask = new AtomicInteger();
    // Guarded by lock: the job workers pick up when the generation changes.
    private Body body;
    private int taskCount;
    private long generation;
    private int running;
    private Throwable failure;

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
            synchronized (lock) {
                this.body = body;
                this.taskCount = tasks;
                this.failure = null;
                this.running = threads - 1;
                nextTask.set(0);
                generation++;
                lock.notifyAll();
            }
            Throwable mine = claimTasks(body, tasks);
            boolean interrupted = false;
            synchronized (lock) {
                while (running > 0) interrupted |= waitOn();
                this.body = null;
                if (mine == null) mine = failure;
            }
            if (interrupted) Thread.currentThread().interrupt(); // kept for the caller, after the tasks are done
            if (mine instanceof RuntimeException e) throw e;
            if (mine instanceof Error e) throw e;
            if (mine != null) throw new IllegalStateException(mine);
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
        run(tasks, t -> body.run((int) ((long) count * t / tasks), (int) ((long) count * (t + 1) / tasks)));
    }

    private Throwable claimTasks(Body body, int tasks) {
        try {
            for (int t = nextTask.getAndIncrement(); t < tasks; t = nextTask.getAndIncrement()) body.run(t);
            return null;
        } catch (Throwable e) {
            nextTask.set(tasks); // the others stop claiming
            return e;
        }
    }

    private void work() {
        long seen = 0;
        while (true) {
            Body job;
            int tasks;
            synchronized (lock) {
                while (generation == seen) waitOn();
                seen = generation;
                job = body;
                tasks = taskCount;
            }
            Throwable e = claimTasks(job, tasks);
            synchronized (lock) {
                if (e != null && failure == null) failure = e;
                if (--running == 0) lock.notifyAll();
            }
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
