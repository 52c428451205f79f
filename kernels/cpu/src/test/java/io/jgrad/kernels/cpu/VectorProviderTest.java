package io.jgrad.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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

/** The provider starts the vector backend when the module is there, and falls back cleanly when it is not. */
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
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"), VectorProviderTest.class.getName()))
                .start();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Thread drainErr = new Thread(() -> drain(p.getErrorStream(), err));
        drainErr.start();
        drain(p.getInputStream(), out);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        drainErr.join();
        String stdout = out.toString(StandardCharsets.UTF_8), stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), stdout + stderr);
        assertTrue(stdout.contains("default=reference"), stdout);
        assertTrue(stdout.contains("vector available=false cause=module jdk.incubator.vector is not readable; add --add-modules jdk.incubator.vector"), stdout);
        List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "exactly one log line:\n" + stderr);
        assertTrue(lines.get(0).contains("add --add-modules jdk.incubator.vector"), stderr);
        assertFalse(stderr.contains("Exception"), stderr);
    }

    private static void drain(InputStream in, ByteArrayOutputStream to) {
        try (in) {
            in.transferTo(to);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
