package io.jgrad.kernels.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launch signatures of {@link CudaKernel} against the {@code .entry} declarations of the committed PTX,
 * without a GPU: a kernel launched with a parameter list the PTX does not declare would read garbage on the
 * device. Every module of every target is checked, and every entry of a module must be declared in Java.
 */
class KernelSignatureTest {

    private static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.(\\w+)(?:\\s+\\.ptr(?:\\s+\\.\\w+)*)?(?:\\s+\\.align\\s+\\d+)?\\s+\\w+(?:\\[(\\d+)\\])?");

    /** The entries of a PTX text with their parameter kinds, in the terms of {@link CudaKernel#paramKinds}. */
    static Map<String, List<String>> entries(String ptx) {
        Map<String, List<String>> entries = new LinkedHashMap<>();
        Matcher e = ENTRY.matcher(ptx);
        while (e.find()) {
            List<String> kinds = new ArrayList<>();
            for (String param : e.group(2).split(",")) {
                if (param.isBlank()) continue;
                Matcher p = PARAM.matcher(param.trim());
                if (!p.matches()) throw new AssertionError("unparsed parameter '" + param.trim() + "' of " + e.group(1));
                String type = p.group(1);
                kinds.add(p.group(2) != null ? "s" + p.group(2)
                        : switch (type) {
                            case "u32", "s32", "b32" -> "b4";
                            case "u64", "s64", "b64" -> "b8";
                            case "f32" -> "f32";
                            case "f64" -> "f64";
                            default -> throw new AssertionError("unexpected parameter type ." + type + " of " + e.group(1));
                        });
            }
            entries.put(e.group(1), kinds);
        }
        return entries;
    }

    static String committedPtx(String arch, String module) throws IOException {
        try (InputStream in = CudaRuntime.class.getResourceAsStream(CudaModules.resource(arch, module))) {
            assertNotNull(in, "no committed PTX for " + module + " " + arch + " (scripts/build-ptx.sh)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyLaunchSignatureMatchesThePtxEntryInEveryModuleAndTarget() throws IOException {
        Set<CudaKernel> seen = EnumSet.noneOf(CudaKernel.class);
        int checked = 0;
        for (String arch : CudaModules.ARCHS) {
            for (CudaModules.Module m : CudaModules.all()) {
                Map<String, List<String>> entries = entries(committedPtx(arch, m.name()));
                String family = m.name().substring(0, m.name().indexOf('.') < 0 ? m.name().length() : m.name().indexOf('.'));
                Set<String> declared = new java.util.HashSet<>();
                for (CudaKernel k : CudaKernel.values()) {
                    if (!k.family().equals(family)) continue;
                    if (k.floatingOnly() && CudaRuntime.dtypeOf(m.name()) == io.jgrad.tensor.DType.INT64) {
                        assertTrue(!entries.containsKey(k.entry()), k + " is declared floating-only but " + m.name() + " has it");
                        continue;
                    }
                    declared.add(k.entry());
                    List<String> ptx = entries.get(k.entry());
                    assertNotNull(ptx, k + ": no entry " + k.entry() + " in " + m.name() + " " + arch + "; entries " + entries.keySet());
                    assertEquals(ptx, k.paramKinds(CudaRuntime.dtypeOf(m.name())), k + " in " + m.name() + " " + arch);
                    seen.add(k);
                    checked++;
                }
                for (String entry : entries.keySet()) {
                    assertTrue(declared.contains(entry), "entry " + entry + " of " + m.name() + " " + arch + " has no CudaKernel declaration");
                }
            }
        }
        assertEquals(EnumSet.allOf(CudaKernel.class), seen, "kernels found in no module");
        assertTrue(checked > 100, "checked " + checked);
    }

    @Test
    void theParserReadsPointerScalarAndStructParameters() {
        String ptx = ".visible .entry k(\n\t.param .u64 .ptr .align 1 k_param_0,\n\t.param .u32 k_param_1,\n\t.param .f64 k_param_2,\n"
                + "\t.param .align 4 .b8 k_param_3[72],\n\t.param .s64 k_param_4\n)\n{\n}\n";
        assertEquals(Map.of("k", List.of("b8", "b4", "f64", "s72", "b8")), entries(ptx));
    }

    @Test
    void aMismatchedLaunchIsCaughtByTheDeclaredSignature() {
        // The same declarations are what CudaRuntime.launch checks its arguments against.
        assertEquals(List.of("b8", "s72", "b4", "f64"), CudaKernel.FILL.paramKinds(io.jgrad.tensor.DType.FLOAT64));
        assertEquals(List.of("b8", "s72", "b4", "b8"), CudaKernel.FILL.paramKinds(io.jgrad.tensor.DType.INT64));
    }
}
