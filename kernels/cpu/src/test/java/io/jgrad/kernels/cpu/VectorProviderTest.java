package io.jgrad.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jgrad.tensor.Backends;
import io.jgrad.tensor.Device;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The provider starts the vector backend when the module is there and C2 compiles it, and falls back cleanly,
 * with its cause, when not.
 */
class VectorProviderTest {

    @Test
    void startsAndOutranksTheReferenceWhenTheModuleIsPresent() throws Exception {
        assumeTrue(VectorProvider.vectorModulePresent(), "tests run with --add-modules jdk.incubator.vector (root pom)");
        VectorProvider provider = new VectorProvider();
        assertEquals("vector", provider.name());
        assertTrue(provider.rank() > ReferenceProvider.RANK);
        assertInstanceOf(VectorBackend.class, provider.create());
        Backends.Entry entry = Backends.status().stream().filter(e -> e.name().equals("vector")).findFirst().orElseThrow();
        assertTrue(entry.available(), Backends.describe());
        assumeTrue(System.getProperty("jgrad.backend") == null, "a backend is forced");
        assertEquals("vector", Backends.forDevice(Device.CPU).name());
    }

    /** Run in a JVM without the module: prints the default backend and the vector backend's cause. */
    public static void main(String[] args) {
        System.out.println("default=" + Backends.forDevice(Device.CPU).name());
        Backends.status().stream().filter(e -> e.name().equals("vector"))
                .forEach(e -> System.out.println("vector available=" + e.available() + " cause=" + e.unavailableCause()));
        new ReferenceBackend(); // the kernels still work
        System.out.println("twice=" + Backends.describe().equals(Backends.describe()));
    }

    @Test
    void withoutTheModuleTheReferenceRunsAndOneLineNamesTheFix() throws Exception {
        ChildJvm child = ChildJvm.run();
        assertTrue(child.stdout.contains("default=reference"), child.stdout);
        assertTrue(child.stdout.contains("vector available=false cause=module jdk.incubator.vector is not readable; add --add-modules jdk.incubator.vector"), child.stdout);
        List<String> lines = child.stderr.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "exactly one log line:\n" + child.stderr);
        assertTrue(lines.get(0).contains("add --add-modules jdk.incubator.vector"), child.stderr);
        assertFalse(child.stderr.contains("Exception"), child.stderr);
    }

    /** With the module but C1 only, the Vector API would run its Java fallback: refused, the cause says why. */
    @Test
    void withoutC2TheReferenceRunsAndTheCauseNamesTheFlag() throws Exception {
        ChildJvm child = ChildJvm.run("--add-modules", VectorProvider.MODULE, "-XX:TieredStopAtLevel=1");
        assertTrue(child.stdout.contains("default=reference"), child.stdout);
        assertTrue(child.stdout.contains("vector available=false cause=the C2 compiler is disabled"), child.stdout);
        assertTrue(child.stdout.contains("TieredStopAtLevel"), child.stdout);
        List<String> ours = child.stderr.lines().filter(l -> l.startsWith("jgrad:")).toList();
        assertEquals(1, ours.size(), "exactly one log line of ours:\n" + child.stderr);
        assertTrue(ours.get(0).contains("C2 compiler is disabled"), child.stderr);
        assertFalse(child.stderr.contains("Exception"), child.stderr);
    }

    @Test
    void refusesWhereTheVectorApiWouldRunItsJavaFallback() {
        JitFacts server = new JitFacts("OpenJDK 64-Bit Server VM", "mixed mode, sharing", true, true, 4);
        assertNull(VectorProvider.slowFallbackCause(server, 512));
        assertNull(VectorProvider.slowFallbackCause(server, 128));
        assertNull(VectorProvider.slowFallbackCause(new JitFacts("OpenJDK 64-Bit Server VM", "mixed mode", true, false, 4), 256),
                "C2 alone (-XX:-TieredCompilation) is fine");
        assertNull(VectorProvider.slowFallbackCause(new JitFacts("OpenJDK 64-Bit Server VM", "mixed mode", true, false, 1), 256),
                "TieredStopAtLevel means nothing without tiered compilation");

        assertRefused(new JitFacts("OpenJDK 64-Bit Server VM", "interpreted mode, sharing", true, false, 4), 256, "-Xint");
        assertRefused(new JitFacts("OpenJDK 64-Bit Server VM", "mixed mode, sharing", false, false, 0), 256, "-XX:-UseCompiler");
        assertRefused(new JitFacts("OpenJDK 64-Bit Server VM", "mixed mode, emulated-client, sharing", true, true, 1), 256,
                "TieredStopAtLevel below 4");
        assertRefused(new JitFacts("OpenJDK 64-Bit Server VM", "mixed mode, sharing", true, true, 3), 256, "-XX:TieredStopAtLevel=3");
        assertRefused(new JitFacts("OpenJDK Client VM", "mixed mode", true, true, 4), 256, "no C2 compiler (OpenJDK Client VM)");
        assertRefused(server, 64, "64 bits, under 128");
    }

    private static void assertRefused(JitFacts jit, int bits, String expectedInCause) {
        String cause = VectorProvider.slowFallbackCause(jit, bits);
        assertNotNull(cause, jit + ", " + bits + " bits: expected a refusal");
        assertTrue(cause.contains(expectedInCause), cause);
        assertTrue(cause.endsWith("the reference kernels, which run instead") || cause.endsWith("the reference kernels run instead"), cause);
    }

    /** A JVM running {@link #main} with this test's class path and the given options; its output, once it ended well. */
    private record ChildJvm(String stdout, String stderr) {
        static ChildJvm run(String... jvmOptions) throws Exception {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> command = new java.util.ArrayList<>(List.of(java.toString()));
            command.addAll(List.of(jvmOptions));
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), VectorProviderTest.class.getName()));
            Process p = new ProcessBuilder(command).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            Thread drainErr = new Thread(() -> drain(p.getErrorStream(), err));
            drainErr.start();
            drain(p.getInputStream(), out);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
            drainErr.join();
            ChildJvm child = new ChildJvm(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            assertEquals(0, p.exitValue(), child.stdout + child.stderr);
            return child;
        }
    }

    private static void drain(InputStream in, ByteArrayOutputStream to) {
        try (in) {
            in.transferTo(to);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
