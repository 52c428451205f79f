package io.jgrad.kernels.cpu;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * What the running JVM's JIT can do, as far as the Vector API cares: its vector classes become SIMD
 * instructions only when C2 compiles them; the interpreter and C1 run them as Java objects, one allocation per
 * vector, far slower than the scalar reference kernels. Read from system properties and the management beans,
 * never from a Vector API class.
 *
 * @param vmName            {@code java.vm.name}, e.g. "OpenJDK 64-Bit Server VM"
 * @param vmInfo            {@code java.vm.info}, e.g. "mixed mode, emulated-client, sharing" under
 *                          {@code -XX:TieredStopAtLevel=1} or {@code -XX:CompilationMode=quick-only}
 * @param jitEnabled        false under {@code -Xint} (no compilation bean) or with {@code UseCompiler} off
 * @param tieredCompilation HotSpot's {@code TieredCompilation} flag
 * @param tieredStopAtLevel HotSpot's {@code TieredStopAtLevel}: C2 is tier 4
 */
record JitFacts(String vmName, String vmInfo, boolean jitEnabled, boolean tieredCompilation, int tieredStopAtLevel) {

    /** The C2 tier of tiered compilation. */
    static final int C2_TIER = 4;

    /** The facts of this JVM; HotSpot flags that cannot be read (another VM) count as their defaults. */
    static JitFacts ofRunningJvm() {
        CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        boolean useCompiler = true, tiered = true;
        int stopAt = C2_TIER;
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hotspot != null) {
                useCompiler = Boolean.parseBoolean(hotspot.getVMOption("UseCompiler").getValue());
                tiered = Boolean.parseBoolean(hotspot.getVMOption("TieredCompilation").getValue());
                stopAt = Integer.parseInt(hotspot.getVMOption("TieredStopAtLevel").getValue());
            }
        } catch (RuntimeException | LinkageError notHotSpot) {
            // no jdk.management module or no such flag: keep the defaults, the properties below still tell -Xint
        }
        return new JitFacts(System.getProperty("java.vm.name", ""), System.getProperty("java.vm.info", ""),
                compiler != null && useCompiler, tiered, stopAt);
    }

    /** Null when C2 compiles hot code; otherwise why it does not, with the flag to look for. */
    String whyNoC2() {
        if (!jitEnabled || vmInfo.contains("interpreted mode")) return "the JIT compiler is off (-Xint or -XX:-UseCompiler)";
        if (vmInfo.contains("emulated-client")) {
            return "the C2 compiler is disabled (java.vm.info: \"" + vmInfo + "\"; -XX:TieredStopAtLevel below " + C2_TIER
                    + " or -XX:CompilationMode=quick-only)";
        }
        if (tieredCompilation && tieredStopAtLevel < C2_TIER) {
            return "the C2 compiler is disabled (-XX:TieredStopAtLevel=" + tieredStopAtLevel + ", C2 is tier " + C2_TIER + ")";
        }
        if (vmName.contains("Client VM")) return "the JVM has no C2 compiler (" + vmName + ")";
        return null;
    }
}
