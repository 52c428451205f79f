package io.jgrad.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Measures the same operation through OpenBLAS (numpy) and PyTorch by running {@code /usr/bin/python3} (or {@code $JGRAD_PYTHON})
 * with a small inline script, in the same run as jgrad. The script prints {@code key value} lines; a missing
 * interpreter or package becomes a {@link #note} and "n/a" in the table, never a failure.
 */
final class PythonAnchor {

    /** The interpreter: {@code JGRAD_PYTHON} when set (the GPU machine's PyTorch is in a virtual environment), else the system's. */
    static Path python() {
        String chosen = System.getenv("JGRAD_PYTHON");
        return Path.of(chosen != null && !chosen.isBlank() ? chosen : "/usr/bin/python3");
    }

    /** Shared by the scripts: warm-up and median exactly as {@link Timing}. */
    static final String TIMING = """
            import time, sys, os
            def median_seconds(fn):
                t_end = time.perf_counter() + %s
                i = 0
                while i < %d or time.perf_counter() < t_end:
                    fn(); i += 1
                times = []
                t_end = time.perf_counter() + %s
                while len(times) < %d and (len(times) < %d or time.perf_counter() < t_end):
                    t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
                times.sort(); n = len(times)
                return times[n // 2] if n %% 2 else (times[n // 2 - 1] + times[n // 2]) / 2
            """.formatted(Timing.WARMUP_SECONDS, Timing.WARMUP_RUNS, Timing.MEASURE_SECONDS, Timing.MAX_RUNS, Timing.RUNS);

    /**
     * Prints {@code info.capability}: the SIMD level of PyTorch's own kernels (AVX2, AVX512; ATEN_CPU_CAPABILITY
     * chooses it). torch.backends.cpu.get_cpu_capability() where it exists (PyTorch 2), else torch 1.x's build summary.
     */
    static final String CAPABILITY = """
            try:
                print('info.capability', torch.backends.cpu.get_cpu_capability())
            except Exception:
                print('info.capability', ([l.split(':', 1)[1].strip() for l in torch.__config__.show().splitlines() if 'CPU capability' in l] or ['n/a'])[0])
            """;

    /**
     * Prints {@code info.blas}: the optimised BLAS libraries loaded in the process (threadpoolctl), e.g.
     * {@code openblas:Cooperlake}, or {@code none} when there is none: then numpy and a PyTorch built against the
     * system BLAS run the unoptimised reference BLAS, and the anchor is far below its best ({@link #BLAS_MISSING}).
     */
    static final String BLAS = """
            try:
                import threadpoolctl
                libs = ['%s:%s' % (i.get('internal_api'), i.get('architecture')) for i in threadpoolctl.threadpool_info() if i.get('user_api') == 'blas']
                print('info.blas', ' '.join(libs) if libs else 'none')
            except Exception as e:
                print('info.blas n/a (no threadpoolctl)')
            """;

    /** The warning printed when {@link #BLAS} found no optimised BLAS. */
    static final String BLAS_MISSING = "WARNING: no optimised BLAS under the anchor (threadpoolctl lists none): numpy/PyTorch run the reference BLAS, "
            + "far below their best, and ratios against them say nothing; install libopenblas0-pthread";

    /** {@link #BLAS_MISSING} when {@code result}'s info says no optimised BLAS was loaded, else null. */
    static String blasWarning(Result result) {
        return "none".equals(result.info().get("blas")) ? BLAS_MISSING : null;
    }

    /**
     * The start of a script that needs PyTorch: imports it (or prints a note and stops), sets its thread count
     * to the anchor's and seeds it. Defines {@code torch}, {@code nn} and {@code F}.
     */
    static final String TORCH = """
            threads = int(os.environ['JGRAD_THREADS'])
            try:
                import torch, torch.nn as nn, torch.nn.functional as F
            except Exception as e:
                print('note torch missing (' + str(e) + '); install python3-torch'); sys.exit(0)
            torch.set_num_threads(threads)
            print('info.torch', torch.__version__)
            """ + PythonAnchor.CAPABILITY + """
            torch.manual_seed(0)
            """;

    /**
     * glibc malloc told to keep what PyTorch frees. By default glibc hands every large block (a layer's activations,
     * its gradients) back to the kernel with munmap and maps it afresh on the next step, so each training step
     * page-faults its temporaries anew: on the 2-core development machine that made PyTorch's ConvNet step 57-80 ms
     * instead of 29 ms, and its GRU step twice as slow. PyTorch's CPU performance guide recommends jemalloc or
     * tcmalloc for this reason; these settings give glibc the same caching behaviour without installing either.
     * A caller who chose an allocator (LD_PRELOAD, GLIBC_TUNABLES or MALLOC_* set) keeps it.
     */
    static final Map<String, String> MALLOC_KEEPING_MEMORY = new TreeMap<>(Map.of(
            "MALLOC_MMAP_THRESHOLD_", "4294967296",
            "MALLOC_TRIM_THRESHOLD_", "17179869184",
            "MALLOC_TOP_PAD_", "1073741824"));

    /** The caller's own allocator setting in {@code env} (as {@code NAME=value}), or null when it made none. */
    static String callerChoseAllocator(Map<String, String> env) {
        return env.entrySet().stream()
                .filter(e -> e.getKey().startsWith("MALLOC_") || e.getKey().equals("GLIBC_TUNABLES")
                        || (e.getKey().equals("LD_PRELOAD") && e.getValue().contains("malloc")))
                .map(e -> e.getKey() + "=" + e.getValue()).sorted().reduce((a, b) -> a + " " + b).orElse(null);
    }

    /** One line for the report's header: which allocator the anchors run with. */
    static String allocatorLine() {
        String own = callerChoseAllocator(System.getenv());
        if (own != null) return "anchor allocator: as set in the environment (" + own + ")";
        StringBuilder line = new StringBuilder("anchor allocator: glibc malloc keeping freed memory, as PyTorch's CPU tuning guide advises (");
        MALLOC_KEEPING_MEMORY.forEach((k, v) -> line.append(line.charAt(line.length() - 1) == '(' ? "" : " ").append(k).append('=').append(v));
        return line.append(')').toString();
    }

    /** The values the script printed, and a note when something was missing. */
    record Result(Map<String, Double> values, Map<String, String> info, String note) {
        Double get(String key) {
            return values.get(key);
        }
    }

    private PythonAnchor() {
    }

    /** Runs {@code script} with {@code threads} threads for OpenBLAS, OpenMP and torch. */
    static Result run(String script, int threads, List<String> args) {
        return run(script, threads, args, Map.of());
    }

    /** As {@link #run(String, int, List)} with {@code env} added to the process's environment. */
    static Result run(String script, int threads, List<String> args, Map<String, String> env) {
        Path python = python();
        if (!Files.isExecutable(python)) {
            return new Result(Map.of(), Map.of(), python + " not found; install with: apt-get update && apt-get install -y python3-numpy python3-torch libopenblas0-pthread");
        }
        List<String> command = new ArrayList<>(List.of(python.toString(), "-c", TIMING + script));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        String t = Integer.toString(threads);
        pb.environment().put("OPENBLAS_NUM_THREADS", t);
        pb.environment().put("OMP_NUM_THREADS", t);
        pb.environment().put("MKL_NUM_THREADS", t);
        pb.environment().put("JGRAD_THREADS", t);
        // Anchors at their best: some machines set these for old OpenBLAS builds' safety, which makes OpenBLAS run
        // its AVX2 kernel (half speed on AVX-512) and slows PyTorch; the scripts print the kernel they then use.
        pb.environment().remove("OPENBLAS_CORETYPE");
        pb.environment().remove("OPENBLAS_L2_SIZE");
        if (callerChoseAllocator(System.getenv()) == null) pb.environment().putAll(MALLOC_KEEPING_MEMORY);
        pb.environment().putAll(env);
        try {
            Path errFile = Files.createTempFile("jgrad-bench", ".err");
            pb.redirectError(errFile.toFile());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean finished = p.waitFor(20, TimeUnit.MINUTES);
            byte[] err = Files.readAllBytes(errFile);
            Files.deleteIfExists(errFile);
            if (!finished) {
                p.destroyForcibly();
                return new Result(Map.of(), Map.of(), "python timed out");
            }
            Result parsed = parse(out);
            String note = parsed.note();
            if (p.exitValue() != 0) {
                String first = new String(err, StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElse("exit " + p.exitValue());
                note = (note == null ? "" : note + "; ") + "python failed: " + first;
            }
            return new Result(parsed.values(), parsed.info(), note);
        } catch (IOException e) {
            return new Result(Map.of(), Map.of(), "could not run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Map.of(), Map.of(), "interrupted");
        }
    }

    /**
     * Reads the script's output: {@code note TEXT} lines join the note, {@code info.KEY TEXT} lines the info, every
     * other {@code KEY NUMBER} line a value; lines of another form (a library's chatter) are skipped.
     */
    static Result parse(String out) {
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, String> info = new LinkedHashMap<>();
        String note = null;
        for (String line : out.split("\n")) {
            String[] kv = line.trim().split(" ", 2);
            if (kv.length < 2) continue;
            if (kv[0].equals("note")) note = note == null ? kv[1] : note + "; " + kv[1];
            else if (kv[0].startsWith("info.")) info.put(kv[0].substring(5), kv[1].trim());
            else {
                try {
                    values.put(kv[0], Double.parseDouble(kv[1].trim()));
                } catch (NumberFormatException e) {
                    // not a measurement
                }
            }
        }
        return new Result(values, info, note);
    }
}
