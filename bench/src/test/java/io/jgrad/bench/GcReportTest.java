package io.jgrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code bench gc}: the probe's line, what counts as old-generation work, the options, the child's command. */
class GcReportTest {

    @Test
    void mixedPausesMarkingCyclesAndFullCollectionsAreOldGenerationWork() {
        Map<String, String> row = GcReport.parse("gc lstm bean[G1_Young_Generation]=112/2381ms steps=200 pause[Normal]=12 pause[Concurrent_Start]=100 "
                + "pause[Mixed]=1 marking_cycles=100 full=2 cause[G1_Humongous_Allocation]=100");
        assertEquals("200", row.get("steps"));
        assertEquals("112/2381ms", row.get("bean[G1_Young_Generation]"));
        assertEquals(103, GcReport.oldGenerationWork(row));
        assertTrue(GcReport.line(row).contains("G1_Humongous_Allocation 100"), GcReport.line(row));
        Map<String, String> young = GcReport.parse("gc mlp pause[Normal]=14 marking_cycles=0 full=0");
        assertEquals(0, GcReport.oldGenerationWork(young));
        assertTrue(GcReport.line(young).contains("none"), GcReport.line(young));
    }

    @Test
    void optionsAndTheirErrors() {
        GcReport.Options o = GcReport.Options.parse(new String[] {"--models", "lstm,gru", "--steps", "50", "--warmup", "0"});
        assertEquals(List.of("lstm", "gru"), o.models());
        assertEquals(50, o.steps());
        assertEquals(0, o.warmup());
        assertEquals(GcReport.STEPS, GcReport.Options.parse(new String[0]).steps());
        String unknown = assertThrows(IllegalArgumentException.class, () -> GcReport.Options.parse(new String[] {"--rounds", "2"})).getMessage();
        assertTrue(unknown.contains("--rounds") && unknown.contains("--steps"), unknown);
        String zero = assertThrows(IllegalArgumentException.class, () -> GcReport.Options.parse(new String[] {"--steps", "0"})).getMessage();
        assertTrue(zero.contains("--steps") && zero.contains("'0'"), zero);
        assertThrows(IllegalArgumentException.class, () -> GcReport.Options.parse(new String[] {"--models", "resnet"}));
    }

    @Test
    void theChildGetsNoHeapSizeAndTheVectorModule() {
        List<String> command = GcReport.childCommand();
        assertTrue(command.get(0).endsWith("java"), command.toString());
        assertFalse(command.stream().anyMatch(a -> a.startsWith("-Xmx") || a.startsWith("-Xms") || a.startsWith("-XX:MaxHeapSize")), command.toString());
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            assertTrue(command.stream().anyMatch(a -> a.contains("jdk.incubator.vector")), command.toString());
        }
    }
}
