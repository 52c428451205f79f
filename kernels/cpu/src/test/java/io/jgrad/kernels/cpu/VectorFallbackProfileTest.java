package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.AttentionGeometry;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.PoolParams;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.UnaryOp;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/**
 * No hot path of the vector backend runs the Vector API's Java fallback. When C2 cannot intrinsify a vector
 * operation (an unsupported conversion or shuffle on this CPU, a vector passed to a method C2 did not inline) it
 * compiles the operation's Java implementation instead: {@code FloatVector.bOpTemplate}, {@code ldOp}, the
 * lambdas handed to {@code VectorSupport}, one object per vector, often 100x slower than scalar code and with no
 * error anywhere. This test runs each fast kernel family (GEMM at several shapes, elementwise ops, reductions,
 * softmax, layer norm, cross-entropy, attention, convolution, pooling, the fused recurrent cells, Adam) on its own
 * in a loop until C2 has compiled it, in a JVM of its own (see {@link #main} why), samples the running threads with a JFR recording in
 * that JVM while it runs, and fails, naming
 * the family, the frames and the kernel method below them, when a family spends more than {@link #MAX_SHARE} of its
 * samples in fallback methods.
 *
 * <p>Why a share and one family at a time: a fallback operation is so slow that it dominates the time of the kernel
 * it sits in. Why it is reliable on a loaded machine, where C2 finishes late and C1's code calls the same fallback
 * methods until C2 replaces it: only compiled frames count; each sample is put down to the compilation that runs its
 * kernel method (the first frame from it towards the callers that is not inlined) and counts as a fallback in C2's
 * code only while C2's code for that method is current (jdk.Compilation and jdk.Deoptimization events of a recording
 * kept for the whole test: a deoptimization sends the method back to C1's code until C2 compiles it again); a
 * fallback in code C2 has not replaced counts only when C2's queue is empty, i.e. C2 is not going to replace it;
 * warm-up lasts until C2's queue is empty (at most {@link #WARMUP_CAP}); a family over the share is measured again
 * after more warm-up, up to {@link #ATTEMPTS} times (while the test is within {@link #TIME_BUDGET}), before it fails.
 * While C2 stays busy through every attempt, or the time is up, the family is reported as undecided, not failed.
 *
 * <p>Checked against a planted fallback: {@code lanewise(op, -1f)} with {@code op} a non-final static field (C2
 * intrinsifies constant operators only) in VectorElementwise's NEG loop made the "unary" family fail with 16% of its
 * samples in {@code FloatVector.bOpTemplate <- VectorElementwise.vectorRun} in C2 code, in every attempt. Skipped,
 * with the reason, where the Vector API or C2 is not available.
 */
class VectorFallbackProfileTest {

    /** Methods that exist only to run a vector operation in Java: the Vector API's fallback. */
    static final Pattern FALLBACK = Pattern.compile(
            "(jdk\\.internal\\.vm\\.vector\\.VectorSupport\\.(?!maybeRebox|isNonCapturingLambda).*)"
                    + "|(jdk\\.incubator\\.vector\\.\\w+\\.(\\w*OpTemplate|[a-z]Op|ldOp|stOp|ldLongOp|stLongOp|bTest|lambda\\$.*))");

    /** The most of a family's samples that may land in fallback frames (stray C1 samples stay far below). */
    static final double MAX_SHARE = 0.05;
    static final int ATTEMPTS = 3;
    /** After this, a family gets one attempt and is undecided unless clean: the test stays short on a loaded machine. */
    static final Duration TIME_BUDGET = Duration.ofSeconds(15);
    static final Duration WINDOW = Duration.ofMillis(400);
    static final Duration MIN_WARMUP = Duration.ofMillis(300);
    static final Duration WARMUP_CAP = Duration.ofMillis(1200);
    /** Warm-up ends after this many passes in a row that end with C2's compile queue empty (or at the cap). */
    static final int QUIET_CHECKS = 3;
    /** A C2 compilation counts for samples taken this long after it ended. */
    static final Duration C2_MARGIN = Duration.ofMillis(20);
    static final String KERNELS = "io.jgrad.kernels.cpu.";

    /**
     * Families with a fallback this test found and nobody has fixed yet: measured and printed, not failed. Remove the
     * entry with the fix, and the test guards it from then on.
     */
    static final Map<String, String> KNOWN = Map.of();
    /** Fewer samples of a family than this leave it undecided (measured again while the time budget lasts). */
    static final int MIN_SAMPLES = 20;

    /** How long the child JVM may take: the time budget, the warm-ups of the families that follow it, start and exit. */
    static final Duration CHILD_TIMEOUT = Duration.ofSeconds(180);

    @Test
    void noVectorFallbackInTheHotPaths() throws Exception {
        String why = !VectorProvider.vectorModulePresent() ? VectorProvider.MISSING
                : VectorProvider.slowFallbackCause(JitFacts.ofRunningJvm(), VectorBackend.preferredFloatBits());
        assumeTrue(why == null, () -> skip("the Vector API backend is not active here: " + why));
        // This JVM's options (the module, the test's flags), this class path, main below.
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), VectorFallbackProfileTest.class.getName()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (var in = child.getInputStream()) {
            output = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8); // ends when the child exits
        }
        boolean ended = child.waitFor(CHILD_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        System.out.print(output);
        if (!ended) child.destroyForcibly();
        org.junit.jupiter.api.Assertions.assertTrue(ended, "the child JVM did not end within " + CHILD_TIMEOUT);
        org.junit.jupiter.api.Assertions.assertEquals(0, child.exitValue(), "the child JVM failed:\n" + output);
    }

    /**
     * The check itself, in a JVM of its own started by the test: a process that runs jgrad's kernels, as a training or
     * an inference process does. Not in the test suite's JVM, where hundreds of other tests ran every kernel cold and warm
     * at every shape first: there C2 of JDK 17 speculates on types from profiles inside the Vector API's own methods,
     * which all callers share, and after such a history it compiled stores of vectors it could not type exactly as calls
     * to the Java fallback (FloatVector.stOp in several families, in some runs of the whole suite; never with JDK 25).
     * Exits 1, naming the families, when one runs the fallback.
     */
    public static void main(String[] args) throws Exception {
        List<String> failures = runFamilies();
        if (!failures.isEmpty()) {
            System.out.println("the Vector API's Java fallback runs in compiled code (share of samples over " + MAX_SHARE + "; frame <- kernel below it: samples):\n"
                    + String.join("\n", failures));
            System.exit(1);
        }
    }

    /** Each kernel family warmed up and measured (see the class comment); the families that run the fallback. */
    static List<String> runFamilies() throws Exception {
        Map<String, Runnable> families = new Workload().families();
        List<String> failures = new ArrayList<>();
        Path file = Files.createTempFile("jgrad-fallback", ".jfr");
        try (Recording compilations = new Recording()) {
            compilations.enable("jdk.Compilation").withThreshold(Duration.ZERO);
            compilations.enable("jdk.Deoptimization");
            compilations.start();
            long deadline = System.nanoTime() + TIME_BUDGET.toNanos();
            for (Map.Entry<String, Runnable> family : families.entrySet()) {
                Share share = null;
                int attempt = 0;
                while (attempt < ATTEMPTS && (attempt == 0 || System.nanoTime() < deadline)) {
                    attempt++;
                    long warm = warmUp(family.getValue());
                    share = measure(family.getValue(), compilations, file);
                    System.out.printf(Locale.ROOT, "VectorFallbackProfileTest %s: warm-up %d ms, %s%n", family.getKey(), warm, share);
                    if (share.verdict() == Verdict.CLEAN) break;
                }
                if (share.verdict() != Verdict.CLEAN && attempt < ATTEMPTS) {
                    System.out.println("VectorFallbackProfileTest " + family.getKey() + ": undecided (the test's time is up after " + attempt
                            + " attempt(s): the machine is loaded): " + share);
                    continue;
                }
                if (share.verdict() == Verdict.FALLBACK && KNOWN.containsKey(family.getKey())) {
                    System.out.println("VectorFallbackProfileTest " + family.getKey() + ": known, not failed (" + KNOWN.get(family.getKey()) + "): " + share);
                } else if (share.verdict() == Verdict.FALLBACK) {
                    failures.add(family.getKey() + ": " + share);
                } else if (share.verdict() == Verdict.UNDECIDED) {
                    System.out.println("VectorFallbackProfileTest " + family.getKey() + ": undecided (C2 still busy after " + ATTEMPTS
                            + " attempts, the machine is loaded): " + share);
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return failures;
    }

    private static String skip(String reason) {
        System.out.println("VectorFallbackProfileTest skipped: " + reason);
        return reason;
    }

    /**
     * Runs {@code kernel} for at least {@link #MIN_WARMUP} and until C2's compile queue has been empty after
     * {@link #QUIET_CHECKS} runs in a row, at most {@link #WARMUP_CAP}; returns the milliseconds it took.
     */
    private static long warmUp(Runnable kernel) {
        long start = System.nanoTime();
        int quiet = 0;
        while (System.nanoTime() - start < WARMUP_CAP.toNanos()) {
            kernel.run();
            quiet = compileQueueEmpty() ? quiet + 1 : 0;
            if (quiet >= QUIET_CHECKS && System.nanoTime() - start >= MIN_WARMUP.toNanos()) break;
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** The samples of kernel threads while {@code kernel} runs for {@link #WINDOW}, and those in compiled fallback frames. */
    enum Verdict { CLEAN, FALLBACK, UNDECIDED }

    /**
     * The samples of kernel threads in one window: in compiled fallback frames where the kernel runs C2's code
     * ({@code inC2}), and where it runs code C2 has not replaced yet ({@code beforeC2}); {@code c2Idle}: C2's queue was
     * empty after the window.
     */
    record Share(int samples, Map<String, Integer> inC2, Map<String, Integer> beforeC2, boolean c2Idle) {

        static double share(int samples, Map<String, Integer> found) {
            return samples == 0 ? 0 : found.values().stream().mapToInt(Integer::intValue).sum() / (double) samples;
        }

        /**
         * A fallback in C2's code is one. One in code C2 has not replaced is one too when C2 is idle (a method that hot
         * and neither compiled nor queued is not going to be: C2 gave up on it); while C2 is still busy it is undecided.
         */
        Verdict verdict() {
            // A handful of samples (the kernel thread hardly ran: a loaded machine) decides nothing either way.
            if (samples < MIN_SAMPLES) return Verdict.UNDECIDED;
            if (share(samples, inC2) > MAX_SHARE) return Verdict.FALLBACK;
            if (share(samples, beforeC2) <= MAX_SHARE) return Verdict.CLEAN;
            return c2Idle ? Verdict.FALLBACK : Verdict.UNDECIDED;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d samples, %.1f%% in fallback frames in C2 code%s, %.1f%% in code C2 has not replaced%s (C2 %s)", samples,
                    100 * share(samples, inC2), inC2.isEmpty() ? "" : " " + inC2, 100 * share(samples, beforeC2), beforeC2.isEmpty() ? "" : " " + beforeC2,
                    c2Idle ? "idle" : "busy");
        }
    }

    /**
     * Runs {@code kernel} for {@link #WINDOW} while sampling, then reads the samples together with the JIT's compilations
     * so far (from {@code compilations}, recording since the test began).
     */
    private static Share measure(Runnable kernel, Recording compilations, Path file) throws Exception {
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1)).withStackTrace();
            recording.start();
            long end = System.nanoTime() + WINDOW.toNanos();
            do kernel.run(); while (System.nanoTime() < end);
            recording.stop();
            compilations.dump(file); // the compilations so far, the window's included
            Map<String, Instant> c2 = currentC2Code(RecordingFile.readAllEvents(file));
            recording.dump(file);
            boolean idle = compileQueueEmpty();
            int samples = 0;
            Map<String, Integer> inC2 = new TreeMap<>(), beforeC2 = new TreeMap<>();
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                if (event.getStackTrace() == null) continue;
                List<RecordedFrame> frames = event.getStackTrace().getFrames();
                if (frames.stream().noneMatch(f -> f.getMethod() != null && f.getMethod().getType().getName().startsWith(KERNELS))) continue;
                samples++;
                Fallback fallback = fallbackFrame(frames, c2, event.getStartTime());
                if (fallback != null) (fallback.inC2() ? inC2 : beforeC2).merge(fallback.where(), 1, Integer::sum);
            }
            return new Share(samples, inC2, beforeC2, idle);
        }
    }

    /**
     * For each method C2 has compiled (tier 4, standard or OSR), since when its C2 code is current: the end of its last
     * C2 compilation, or null when a deoptimization that discarded that code came after (the method then runs
     * interpreted or C1 code again until C2 compiles it anew).
     */
    static Map<String, Instant> currentC2Code(List<RecordedEvent> events) {
        Map<Long, String> c2Ids = new HashMap<>();
        Map<String, Instant> c2 = new HashMap<>();
        Map<String, Instant> discarded = new HashMap<>();
        for (RecordedEvent e : events) {
            if (!e.getEventType().getName().equals("jdk.Compilation") || e.getInt("compileLevel") != JitFacts.C2_TIER) continue;
            if (e.hasField("succeded") && !e.getBoolean("succeded")) continue; // (sic: JFR's field name)
            String method = key(e.getValue("method"));
            c2Ids.put(e.getLong("compileId"), method);
            c2.merge(method, e.getEndTime(), (a, b) -> a.isAfter(b) ? a : b);
        }
        for (RecordedEvent e : events) {
            if (!e.getEventType().getName().equals("jdk.Deoptimization")) continue;
            Object action = e.getValue("action"); // a String, or an object holding one (JDK versions differ)
            String method = c2Ids.get(e.getLong("compileId"));
            if (method == null || !(action.toString().contains("reinterpret") || action.toString().contains("not_entrant"))) continue;
            discarded.merge(method, e.getStartTime(), (a, b) -> a.isAfter(b) ? a : b);
        }
        discarded.forEach((method, at) -> {
            if (!c2.get(method).isAfter(at)) c2.remove(method);
        });
        return c2;
    }

    static String key(RecordedMethod m) {
        return m.getType().getName() + "." + m.getName() + m.getDescriptor();
    }

    /**
     * True when C2 neither compiles nor has queued a method ({@code jcmd PID Compiler.queue}). C1's queue is not
     * looked at: C1 is quick, and the diagnostic command itself makes management code warm enough for it.
     */
    static boolean compileQueueEmpty() {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "compilerQueue", new Object[] {null}, new String[] {String[].class.getName()});
            return c2Idle(text.toString());
        } catch (Exception e) {
            return true; // no diagnostic command here: the minimum warm-up and the second attempt remain
        }
    }

    /**
     * Reads the listing of {@code Compiler.queue}: "Current compiles:" with one line per busy compiler thread
     * ("C2 CompilerThread0  1428  4  Foo::bar"), then "C1 compile queue:" and "C2 compile queue:", each followed by
     * one line per waiting method (compile id first) or "Empty".
     */
    static boolean c2Idle(String listing) {
        boolean inC2Queue = false;
        for (String line : listing.lines().map(String::trim).toList()) {
            if (line.startsWith("C2 CompilerThread")) return false;
            if (line.endsWith("compile queue:")) inC2Queue = line.startsWith("C2");
            else if (inC2Queue && !line.isEmpty() && Character.isDigit(line.charAt(0))) return false;
        }
        return true;
    }

    /** A sample in a fallback method: "fallback method <- kernel method below it", and whether C2's code ran the kernel. */
    record Fallback(String where, boolean inC2) {
    }

    /**
     * The fallback frame of a stack, or null: a compiled frame of a fallback method, with the first kernel method
     * below it. The kernel method's code is that of the compilation it is part of: the first frame from it towards
     * the callers that is not inlined. Before C2 has compiled that method (with a margin, as a compilation ends a
     * moment before its code runs) the code is C1's, which calls the fallback by design.
     */
    static Fallback fallbackFrame(List<RecordedFrame> frames, Map<String, Instant> c2, Instant at) {
        for (int i = 0; i < frames.size(); i++) {
            RecordedFrame f = frames.get(i);
            if (f.getMethod() == null || !f.isJavaFrame() || !compiled(f)) continue;
            String name = f.getMethod().getType().getName() + "." + f.getMethod().getName();
            if (!FALLBACK.matcher(name).matches()) continue;
            for (int k = i + 1; k < frames.size(); k++) {
                RecordedFrame g = frames.get(k);
                if (g.getMethod() == null || !g.getMethod().getType().getName().startsWith(KERNELS)) continue;
                String kernel = g.getMethod().getType().getName() + "." + g.getMethod().getName();
                if (kernel.startsWith(KERNELS + "KernelPool") || kernel.startsWith(KERNELS + "LoopNest")) continue;
                int root = k;
                while (root < frames.size() - 1 && "Inlined".equals(frames.get(root).getType())) root++;
                RecordedFrame code = frames.get(root);
                if (!compiled(code) || code.getMethod() == null) return null;
                Instant c2Code = c2.get(key(code.getMethod()));
                return new Fallback(name + " <- " + kernel, c2Code != null && !c2Code.plus(C2_MARGIN).isAfter(at));
            }
            return null;
        }
        return null;
    }

    private static boolean compiled(RecordedFrame f) {
        return "JIT compiled".equals(f.getType()) || "Inlined".equals(f.getType());
    }

    @Test
    void readsTheCompileQueueListing() {
        String idle = "Current compiles: \nC1 CompilerThread0  1428       3       java.lang.Class::isRecord (33 bytes)\n\n"
                + "C1 compile queue:\n1432       3       java.util.TreeMap::get (19 bytes)\n\nC2 compile queue:\nEmpty\n";
        org.junit.jupiter.api.Assertions.assertTrue(c2Idle(idle), idle);
        org.junit.jupiter.api.Assertions.assertFalse(c2Idle(idle.replace("C2 compile queue:\nEmpty", "C2 compile queue:\n1431       4       java.lang.String::startsWith (7 bytes)")));
        org.junit.jupiter.api.Assertions.assertFalse(c2Idle(idle.replace("C1 CompilerThread0", "C2 CompilerThread1")));
    }

    /** The unary ops {@link VectorElementwise} runs with vectors. */
    static final Set<UnaryOp> VECTOR_UNARY = EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.EXP, UnaryOp.SQRT, UnaryOp.RSQRT, UnaryOp.RECIPROCAL,
            UnaryOp.SQUARE, UnaryOp.SIGMOID, UnaryOp.RELU, UnaryOp.LEAKY_RELU, UnaryOp.CLAMP);

    /** One pass over every fast kernel family at shapes the models use (odd sizes included, so tails run too). */
    private static final class Workload {
        final VectorBackend backend = VectorChecks.VECTOR;
        final Generator gen = new Generator(5);
        final NDArray big = randn(gen, 96, 257), bigB = randn(gen, 257, 131), bigOut = zeros(96, 131);
        final NDArray row = randn(gen, 1, 257), rowOut = zeros(1, 131), fewRows = randn(gen, 5, 257), fewOut = zeros(5, 131);
        final NDArray x = randn(gen, 64, 301), y = randn(gen, 64, 301), bias = randn(gen, 301), out = zeros(64, 301), positive = x.abs().add(0.5);
        final NDArray sumAll = zeros(1, 1), rowSums = zeros(64, 1), colSums = zeros(1, 301);
        final NDArray nchw = randn(gen, 4, 6, 10, 11), channelSums = zeros(1, 6, 1, 1);
        final NDArray weight = randn(gen, 301), lnBias = randn(gen, 301), lnMean = zeros(64), lnRstd = zeros(64);
        final NDArray lnGradIn = zeros(64, 301), lnGradWeight = zeros(301), lnGradBias = zeros(301);
        final ConvParams convParams = new ConvParams(1, 1, 1, 1, 1, 1, 1);
        final NDArray image = randn(gen, 3, 5, 13, 12), kernel = randn(gen, 7, 5, 3, 3), convBias = randn(gen, 7);
        final ConvGeometry conv = ConvGeometry.of(image.shape(), kernel.shape(), convParams);
        final NDArray convOut = zeros(3, 7, 13, 12), convGrad = randn(gen, 3, 7, 13, 12), imageGrad = zeros(3, 5, 13, 12), kernelGrad = zeros(7, 5, 3, 3);
        final PoolParams poolParams = new PoolParams(2, 2, 2, 2, 0, 0);
        final PoolGeometry poolGeometry = PoolGeometry.of(convOut.shape(), poolParams);
        final NDArray pooled = zeros(3, 7, 6, 6), pooledGrad = randn(gen, 3, 7, 6, 6), indices = NDArray.zeros(DType.INT64, 3, 7, 6, 6), poolInputGrad = zeros(3, 7, 13, 12);
        final int hidden = 67, batch = 9;
        final NDArray xGates4 = randn(gen, batch, 4 * hidden), hGates4 = randn(gen, batch, 4 * hidden), c = randn(gen, batch, hidden);
        final NDArray hOut = zeros(batch, hidden), cOut = zeros(batch, hidden), gates = zeros(batch, 4 * hidden);
        final NDArray gradH = randn(gen, batch, hidden), gradC = randn(gen, batch, hidden), gradGates = zeros(batch, 4 * hidden), gradCPrev = zeros(batch, hidden);
        final NDArray xGates3 = randn(gen, batch, 3 * hidden), hGates3 = randn(gen, batch, 3 * hidden), saved = zeros(batch, 4 * hidden);
        final NDArray gradX3 = zeros(batch, 3 * hidden), gradH3 = zeros(batch, 3 * hidden), gradHPrev = zeros(batch, hidden);
        final NDArray q = randn(gen, 2, 3, 37, 16), k = randn(gen, 2, 3, 41, 16), v = randn(gen, 2, 3, 41, 16);
        final AttentionGeometry attention = AttentionGeometry.of("fallback test", q.shape(), k.shape(), v.shape(), null, 0.25, false);
        final NDArray attnOut = zeros(attention.outputShape()), lse = zeros(attention.logSumExpShape()), attnGrad = randn(gen, attention.outputShape());
        final NDArray gq = zeros(q.shape()), gk = zeros(k.shape()), gv = zeros(v.shape());
        final NDArray param = randn(gen, 3001), grad = randn(gen, 3001), m = zeros(3001), vv = zeros(3001);
        final NDArray ceTarget = NDArray.randint(gen, 0, 301, 64), ceWeight = x.narrow(0, 0, 1).reshape(301).abs(), ceLoss = zeros(64), ceStats = zeros(64, 3);
        final CrossEntropyParams ce = new CrossEntropyParams(-100, 0.1);
        final AdamStep adam = new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, false, false, false, 0.1, 0.01);

        /** Each kernel family as one runnable pass, in a fixed order. */
        Map<String, Runnable> families() {
            Map<String, Runnable> f = new LinkedHashMap<>();
            f.put("gemm", () -> {
                backend.matmul(big, bigB, bigOut);
                backend.matmul(big.t().contiguous().t(), bigB, bigOut); // a transposed operand
            });
            f.put("gemm few rows", () -> {
                backend.matmul(row, bigB, rowOut);
                backend.matmul(fewRows, bigB, fewOut);
            });
            // Only the ops with a vector form: the others run scalar code and would dilute the share of those that have one.
            f.put("unary", () -> {
                for (UnaryOp op : VECTOR_UNARY) backend.unary(op, op == UnaryOp.SQRT || op == UnaryOp.RSQRT ? positive : x, out, 0.5, 1.5);
            });
            f.put("binary", () -> {
                for (BinaryOp op : BinaryOp.values()) {
                    if (op == BinaryOp.POW) continue;
                    backend.binary(op, x, y, out);
                    backend.binary(op, x, bias.expand(64, 301), out); // a row broadcast
                }
            });
            f.put("reductions", () -> {
                for (ReduceOp op : ReduceOp.values()) {
                    backend.reduce(op, x, sumAll);
                    backend.reduce(op, x, rowSums);
                    backend.reduce(op, x, colSums);
                    backend.reduce(op, nchw, channelSums);
                }
            });
            f.put("softmax, layer norm, cross-entropy", () -> {
                backend.softmax(x, 1, false, out);
                backend.softmax(x, 1, true, out);
                backend.crossEntropy(x, ceTarget, ceWeight, ce, ceLoss, ceStats);
                backend.crossEntropyBackward(x, ceTarget, ceWeight, ce, ceStats, ceLoss, null, out);
                backend.layerNorm(x, weight, lnBias, 1e-5, out, lnMean, lnRstd);
                backend.layerNormBackward(y, x, lnMean, lnRstd, weight, lnGradIn, lnGradWeight, lnGradBias);
            });
            f.put("attention", () -> {
                backend.attention(q, k, v, null, attention, attnOut, lse);
                backend.attentionBackward(q, k, v, null, attention, attnOut, lse, attnGrad, gq, gk, gv);
            });
            f.put("conv2d", () -> {
                backend.conv2d(image, kernel, convBias, conv, UnaryOp.RELU, convOut);
                backend.conv2d(image, kernel, convBias, conv, convOut);
                backend.conv2dBackwardInput(convGrad, kernel, conv, imageGrad);
                backend.conv2dBackwardWeight(image, convGrad, conv, kernelGrad);
            });
            f.put("pooling", () -> {
                backend.maxPool2d(convOut, poolGeometry, pooled, indices);
                backend.maxPool2dBackward(pooledGrad, indices, poolInputGrad);
                backend.avgPool2d(convOut, poolGeometry, pooled);
                backend.avgPool2dBackward(pooledGrad, poolGeometry, poolInputGrad);
            });
            f.put("recurrent cells", () -> {
                backend.lstmCell(xGates4, hGates4, c, hOut, cOut, gates);
                backend.lstmCellBackward(gradH, gradC, c, cOut, gates, gradGates, gradCPrev);
                backend.gruCell(xGates3, hGates3, c, hOut, saved);
                backend.gruCellBackward(gradH, c, saved, gradX3, gradH3, gradHPrev);
            });
            f.put("adam", () -> backend.adamStep(adam, param, grad, m, vv, null));
            return f;
        }
    }
}
