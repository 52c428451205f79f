package io.jgrad.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            torch.manual_seed(0)
            """;

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
            Map<String, Double> values = new LinkedHashMap<>();
            Map<String, String> info = new LinkedHashMap<>();
            String note = null;
            for (String line : out.split("\n")) {
                String[] kv = line.trim().split(" ", 2);
                if (kv.length < 2) continue;
                if (kv[0].equals("note")) note = note == null ? kv[1] : note + "; " + kv[1];
                else if (kv[0].startsWith("info.")) info.put(kv[0].substring(5), kv[1]);
                else values.put(kv[0], Double.parseDouble(kv[1]));
            }
            if (p.exitValue() != 0) {
                String first = new String(err, StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElse("exit " + p.exitValue());
                note = (note == null ? "" : note + "; ") + "python failed: " + first;
            }
            return new Result(values, info, note);
        } catch (IOException e) {
            return new Result(Map.of(), Map.of(), "could not run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Map.of(), Map.of(), "interrupted");
        }
    }
}
