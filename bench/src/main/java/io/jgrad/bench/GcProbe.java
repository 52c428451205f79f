package io.jgrad.bench;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The child process of {@code jgrad bench gc} ({@link GcReport}): in a JVM of its own, started with the default
 * heap, warms up one model's training step, then runs N more steps while counting the collections.
 *
 * <p>Two sources, because on JDK 17 the MXBeans cannot tell all of G1's old-generation work apart: "G1 Young
 * Generation" counts young <em>and mixed</em> pauses, "G1 Old Generation" only full GCs, and concurrent marking
 * cycles have a bean ("G1 Concurrent GC") only on newer JDKs. An in-process JFR recording gives each pause's type
 * (jdk.G1GarbageCollection: Normal, Concurrent Start, Prepare Mixed, Mixed, Full), each marking cycle
 * (jdk.GarbageCollection named G1Old) and each pause's cause, and the allocations made outside a TLAB with their
 * stacks, from which it lists where the humongous arrays (over half a G1 region, which G1 puts straight into the
 * old generation) come from.
 *
 * <p>Prints one line {@code gc MODEL key=value ...} that the parent parses, then {@code site ...} lines.
 */
final class GcProbe {

    static final String PREFIX = "gc ";
    static final String SITE = "site ";

    private GcProbe() {
    }

    /** {@code GcProbe MODEL STEPS WARMUP}. */
    public static void main(String[] args) throws Exception {
        String model = args[0];
        int steps = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        ModelsReport.Bench bench = ModelsReport.Bench.of(model);
        Runnable step = bench.trainingStep();
        for (int i = 0; i < warmup; i++) step.run();
        System.gc(); // start the measured steps from a clean heap: what warm-up left behind is not theirs to collect

        long regionBytes = regionBytes();
        Map<String, long[]> before = beanCounts();
        long allocatedBefore = allocatedBytes();
        Path file = Files.createTempFile("jgrad-gc-" + model, ".jfr");
        long start;
        long end;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.GarbageCollection");
            recording.enable("jdk.G1GarbageCollection");
            recording.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
            recording.start();
            start = System.nanoTime();
            for (int i = 0; i < steps; i++) step.run();
            end = System.nanoTime();
            recording.stop();
            recording.dump(file);
        }
        long allocated = allocatedBytes() - allocatedBefore;
        Map<String, long[]> after = beanCounts();
        Events events = Events.read(file, regionBytes / 2);
        Files.deleteIfExists(file);

        StringBuilder line = new StringBuilder(PREFIX).append(model);
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            line.append(String.format(Locale.ROOT, " bean[%s]=%d/%dms", e.getKey().replace(' ', '_'), e.getValue()[0] - b[0], e.getValue()[1] - b[1]));
        }
        line.append(" steps=").append(steps)
                .append(String.format(Locale.ROOT, " step_ms=%.2f", (end - start) / 1e6 / steps))
                .append(String.format(Locale.ROOT, " alloc_mib_per_step=%.1f", allocated / 1048576.0 / steps))
                .append(" heap_mib=").append(Runtime.getRuntime().maxMemory() >> 20)
                .append(" region_kib=").append(regionBytes >> 10)
                .append(" gc=").append(ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                        .map(n -> n.replace(' ', '_')).collect(Collectors.joining(",")));
        events.pauseTypes.forEach((type, n) -> line.append(" pause[").append(type.replace(' ', '_')).append("]=").append(n));
        line.append(" marking_cycles=").append(events.markingCycles)
                .append(" full=").append(events.fullCollections)
                .append(" humongous_allocs=").append(events.humongousCount)
                .append(String.format(Locale.ROOT, " humongous_mib_per_step=%.1f", events.humongousBytes / 1048576.0 / steps));
        events.causes.forEach((cause, n) -> line.append(" cause[").append(cause.replace(' ', '_')).append("]=").append(n));
        System.out.println(line);
        events.sites.entrySet().stream().sorted(Map.Entry.<String, long[]>comparingByValue((a, b) -> Long.compare(b[1], a[1]))).limit(8)
                .forEach(e -> System.out.println(String.format(Locale.ROOT, "%s%s %d arrays, %.1f MiB/step: %s", SITE, model, e.getValue()[0],
                        e.getValue()[1] / 1048576.0 / steps, e.getKey())));
    }

    /** Collections and milliseconds per collector bean, by name. */
    private static Map<String, long[]> beanCounts() {
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            counts.put(bean.getName(), new long[] {bean.getCollectionCount(), bean.getCollectionTime()});
        }
        return counts;
    }

    /** Bytes allocated so far by all live threads (the kernel pool's workers included). */
    private static long allocatedBytes() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long a : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) total += Math.max(0, a);
        return total;
    }

    /** G1's region size (arrays over half of it are humongous); 0 for other collectors. */
    private static long regionBytes() {
        try {
            var diagnostics = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return Long.parseLong(diagnostics.getVMOption("G1HeapRegionSize").getValue());
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** What the JFR recording of the measured steps says. */
    private static final class Events {
        final Map<String, Long> pauseTypes = new LinkedHashMap<>();
        final Map<String, Long> causes = new LinkedHashMap<>();
        /** Allocation site (a few jgrad frames) -> {count, bytes} of its humongous arrays. */
        final Map<String, long[]> sites = new HashMap<>();
        long markingCycles;
        long fullCollections;
        long humongousCount;
        long humongousBytes;

        static Events read(Path file, long humongousBytes) throws IOException {
            Events e = new Events();
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                switch (event.getEventType().getName()) {
                    case "jdk.G1GarbageCollection" -> e.pauseTypes.merge(event.getString("type"), 1L, Long::sum);
                    case "jdk.GarbageCollection" -> {
                        String name = event.getString("name");
                        if (name.equals("G1Old") || name.equals("Z") || name.equals("Shenandoah")) e.markingCycles++;
                        else if (name.equals("G1Full") || name.equals("SerialOld") || name.equals("ParallelOld")) e.fullCollections++;
                        e.causes.merge(event.getString("cause"), 1L, Long::sum);
                    }
                    case "jdk.ObjectAllocationOutsideTLAB" -> {
                        long size = event.getLong("allocationSize");
                        if (humongousBytes > 0 && size >= humongousBytes) {
                            e.humongousCount++;
                            e.humongousBytes += size;
                            long[] site = e.sites.computeIfAbsent(site(event), k -> new long[2]);
                            site[0]++;
                            site[1] += size;
                        }
                    }
                    default -> {
                    }
                }
            }
            return e;
        }

        /** The first few frames below the allocating storage code: which op asked for the array. */
        private static String site(RecordedEvent event) {
            if (event.getStackTrace() == null) return "(no stack)";
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            return frames.stream().filter(f -> f.getMethod() != null)
                    .map(f -> f.getMethod().getType().getName().replaceFirst("^.*\\.", "") + "." + f.getMethod().getName())
                    .filter(f -> !f.startsWith("HostStorage.") && !f.startsWith("Arrays.") && !f.startsWith("NDArray.zeros")
                            && !f.startsWith("NDArray.empty") && !f.startsWith("NDArray.allocate"))
                    .limit(4).collect(Collectors.joining(" < "));
        }
    }
}
