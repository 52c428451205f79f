package io.jgrad.kernels.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recompiles every CUDA module with nvcc ({@link PtxBuild}, the recipe of scripts/build-ptx.sh) and fails when
 * the committed PTX differs (a kernel source, the dialect or an op enum changed without rebuilding), when nvcc
 * prints anything (a warning), or when a GEMM kernel spills registers on sm_90 ({@code ptxas -v}). Runs where
 * nvcc exists (CI and the development machines have /usr/local/cuda); skipped with a printed reason elsewhere.
 */
class PtxStalenessTest {

    @Test
    void committedPtxIsWhatNvccMakesOfTheSourcesWithoutWarnings() throws Exception {
        Path nvcc = PtxBuild.findNvcc();
        if (nvcc == null) System.out.println("[skip] PtxStalenessTest: no nvcc (CUDA_HOME, /usr/local/cuda/bin, PATH)");
        Assumptions.assumeTrue(nvcc != null, "no nvcc (CUDA_HOME, /usr/local/cuda/bin, PATH)");
        PtxBuild build = new PtxBuild(PtxBuild.findRoot(), nvcc);
        long start = System.nanoTime();
        List<PtxBuild.Result> results = build.compileAll(Math.max(2, Runtime.getRuntime().availableProcessors()));
        List<String> problems = new ArrayList<>();
        for (PtxBuild.Result r : results) {
            Path committed = build.committed(r.arch(), r.module());
            if (!Files.exists(committed)) {
                problems.add(r.module() + " " + r.arch() + ": no committed PTX at " + committed);
            } else if (!Files.readString(committed).equals(r.ptx())) {
                problems.add(r.module() + " " + r.arch() + ": committed PTX is stale");
            }
            if (!r.diagnostics().isEmpty()) problems.add(r.module() + " " + r.arch() + ": nvcc printed: " + r.diagnostics());
        }
        Map<String, Long> spills = new ConcurrentHashMap<>();
        Map<String, String> report = build.ptxasReport(results.stream()
                .filter(r -> r.module().equals("gemm") && r.arch().equals("compute_90")).findFirst().orElseThrow().ptx(), spills);
        report.forEach((entry, line) -> System.out.println("ptxas sm_90 " + entry + ": " + line + ", spills " + spills.getOrDefault(entry, 0L) + " bytes"));
        spills.forEach((entry, bytes) -> {
            if (bytes > 0) problems.add("gemm " + entry + " spills " + bytes + " bytes on sm_90");
        });
        System.out.printf("PtxStalenessTest: %d modules compiled and compared in %.1f s%n", results.size(), (System.nanoTime() - start) / 1e9);
        assertEquals(CudaModules.ARCHS.size() * CudaModules.all().size(), results.size());
        assertTrue(report.size() >= 6, "ptxas reported " + report.keySet());
        assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n(run scripts/build-ptx.sh and commit the PTX)");
    }

    @Test
    void aPortableModuleIsTheDialectItsDefinesCommonAndTheFamily() {
        CudaModules.Module m = new CudaModules.Module("reduce.long", CudaModules.Origin.PORTABLE, "reduce.cl", "-DT=long -DINTEGRAL -DREDUCE_GROUP=64");
        assertEquals("#include \"dialect.h\"\n#define T long\n#define INTEGRAL\n#define REDUCE_GROUP 64\n#include \"common.cl\"\n#include \"reduce.cl\"\n",
                PtxBuild.translationUnit(m));
    }
}
