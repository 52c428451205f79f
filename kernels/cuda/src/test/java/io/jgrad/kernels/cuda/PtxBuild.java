package io.jgrad.kernels.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Compiles every module of {@link CudaModules} to PTX with nvcc: the one definition of how the committed PTX is
 * made, used by {@code scripts/build-ptx.sh} ({@code main "write"}) and by {@link PtxStalenessTest}. Portable
 * families compile as CUDA C from kernels/opencl's sources: a generated translation unit includes
 * {@code dialect.h}, defines the module's macros, then includes {@code common.cl} and the family's source;
 * {@code -fmad=false} keeps every operation rounded on its own, as OpenCL's {@code FP_CONTRACT OFF} does.
 */
public final class PtxBuild {

    /** The result of one nvcc run: the PTX text and whatever nvcc printed (warnings, which the test forbids). */
    public record Result(String module, String arch, String ptx, String diagnostics) {
    }

    private final Path root;
    private final Path nvcc;

    public PtxBuild(Path root, Path nvcc) {
        this.root = root;
        this.nvcc = nvcc;
    }

    /** nvcc from $CUDA_HOME, /usr/local/cuda or the PATH; null when there is none. */
    public static Path findNvcc() {
        List<Path> candidates = new ArrayList<>();
        String home = System.getenv("CUDA_HOME");
        if (home != null) candidates.add(Path.of(home, "bin", "nvcc"));
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        String path = System.getenv("PATH");
        if (path != null) for (String dir : path.split(":")) if (!dir.isEmpty()) candidates.add(Path.of(dir, "nvcc"));
        for (Path p : candidates) if (Files.isExecutable(p)) return p;
        return null;
    }

    /** The repository root: the nearest directory upwards from the working directory that has kernels/opencl. */
    public static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("kernels/opencl"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("not inside the jgrad repository: no kernels/opencl above " + Path.of("").toAbsolutePath());
        return dir;
    }

    public Path portableSources() {
        return root.resolve("kernels/opencl/src/main/resources/io/jgrad/kernels/opencl");
    }

    public Path cudaSources() {
        return root.resolve("kernels/cuda/src/main/cuda");
    }

    /** Where the committed PTX of a module lives. */
    public Path committed(String arch, String module) {
        return root.resolve("kernels/cuda/src/main/resources" + CudaModules.resource(arch, module));
    }

    /** Compiles one module for one target. */
    public Result compile(CudaModules.Module m, String arch) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("jgrad-ptx");
        try {
            Path out = work.resolve(m.name() + ".ptx");
            List<String> cmd = new ArrayList<>(List.of(nvcc.toString(), "-ptx", "-arch=" + arch, "-o", out.toString()));
            if (m.origin() == CudaModules.Origin.PORTABLE) {
                Path unit = work.resolve(m.name() + ".cu");
                Files.writeString(unit, translationUnit(m));
                cmd.addAll(List.of("-fmad=false", "-I", portableSources().toString(), unit.toString()));
            } else {
                cmd.add(cudaSources().resolve(m.source()).toString());
            }
            Process p = quiet(new ProcessBuilder(cmd)).start();
            String diagnostics = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int rc = p.waitFor();
            if (rc != 0) throw new IllegalStateException("nvcc failed (" + rc + ") for " + m.name() + " " + arch + ":\n" + diagnostics);
            return new Result(m.name(), arch, Files.readString(out), diagnostics);
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /**
     * Output merged, and without the test JVM's LD_PRELOAD of the JDK's libjsig (Maven's test runs set it for
     * OpenCL): preloaded into nvcc's tools it prints a deprecation warning per process, which is not nvcc's.
     */
    private static ProcessBuilder quiet(ProcessBuilder pb) {
        pb.environment().remove("LD_PRELOAD");
        return pb.redirectErrorStream(true);
    }

    /** The generated translation unit of a portable module: the dialect, the module's defines, common.cl, the family. */
    static String translationUnit(CudaModules.Module m) {
        StringBuilder sb = new StringBuilder("#include \"dialect.h\"\n");
        for (String d : m.defines().trim().split("\\s+")) {
            if (d.isEmpty()) continue;
            if (!d.startsWith("-D")) throw new IllegalArgumentException("not a define: " + d);
            String[] kv = d.substring(2).split("=", 2);
            sb.append("#define ").append(kv[0]).append(kv.length > 1 ? " " + kv[1] : "").append('\n');
        }
        return sb.append("#include \"common.cl\"\n#include \"").append(m.source()).append("\"\n").toString();
    }

    /** Every module for every target, {@code threads} nvcc runs at a time, in {@link CudaModules#all()} order. */
    public List<Result> compileAll(int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (String arch : CudaModules.ARCHS) {
                for (CudaModules.Module m : CudaModules.all()) futures.add(pool.submit(() -> compile(m, arch)));
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> f : futures) results.add(f.get());
            return results;
        } finally {
            pool.shutdown();
        }
    }

    /** {@code ptxas -v} of a PTX text for sm_90: per entry, the spill bytes (stores + loads) and the report line. */
    public Map<String, String> ptxasReport(String ptx, Map<String, Long> spills) throws IOException, InterruptedException {
        Path ptxas = nvcc.resolveSibling("ptxas");
        Path file = Files.createTempFile("jgrad", ".ptx");
        Map<String, String> report = new ConcurrentHashMap<>();
        try {
            Files.writeString(file, ptx);
            Process p = quiet(new ProcessBuilder(ptxas.toString(), "-v", "-arch=sm_90", file.toString(), "-o", "/dev/null")).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new IllegalStateException("ptxas failed:\n" + text);
            String entry = null;
            for (String line : text.split("\n")) {
                var compiling = java.util.regex.Pattern.compile("Compiling entry function '([^']+)'").matcher(line);
                if (compiling.find()) entry = compiling.group(1);
                var spill = java.util.regex.Pattern.compile("(\\d+) bytes spill stores, (\\d+) bytes spill loads").matcher(line);
                if (entry != null && spill.find()) spills.put(entry, Long.parseLong(spill.group(1)) + Long.parseLong(spill.group(2)));
                if (entry != null && line.contains("Used")) report.put(entry, line.replaceAll("^ptxas info\\s*:\\s*", "").trim());
            }
            return report;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** {@code write}: compiles everything and writes the committed PTX (scripts/build-ptx.sh). */
    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !args[0].equals("write")) throw new IllegalArgumentException("usage: PtxBuild write");
        Path nvcc = findNvcc();
        if (nvcc == null) throw new IllegalStateException("no nvcc found (CUDA_HOME, /usr/local/cuda/bin, PATH)");
        PtxBuild build = new PtxBuild(findRoot(), nvcc);
        for (Result r : build.compileAll(Math.max(1, Runtime.getRuntime().availableProcessors()))) {
            Path target = build.committed(r.arch(), r.module());
            Files.createDirectories(target.getParent());
            Files.writeString(target, r.ptx());
            if (!r.diagnostics().isEmpty()) System.err.println(r.module() + " " + r.arch() + ": " + r.diagnostics());
        }
        Map<String, Long> spills = new ConcurrentHashMap<>();
        Map<String, String> report = build.ptxasReport(Files.readString(build.committed("compute_90", "gemm")), spills);
        report.forEach((entry, line) -> System.out.println("gemm sm_90 " + entry + ": " + line + ", spills " + spills.getOrDefault(entry, 0L) + " bytes"));
    }
}
