package io.jgrad.cli.parity;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;
import io.jgrad.tensor.io.Json;
import io.jgrad.tensor.io.SafeTensors;
import io.jgrad.tensor.io.SafeTensorsFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs PyTorch fixture files (format in {@code shared/fixtures/README.md}) and compares jgrad's outputs
 * and gradients with PyTorch's. Prints one line per failure (case, tensor, worst error) and finishes with
 * {@code N passed, N failed, N skipped}; skipped cases are listed with the reason. A file that cannot be
 * read is named with the reason and counted as an error; the other files still run.
 */
public final class ParityRunner {

    /** What a run found. {@link #ok()} is false when anything failed or could not be read. */
    public record Summary(int passed, int failed, int skipped, int unreadable, List<String> failures, List<String> skips) {
        public boolean ok() {
            return failed == 0 && unreadable == 0;
        }
    }

    private final PrintStream out;

    public ParityRunner(PrintStream out) {
        this.out = out;
    }

    /** Runs every {@code *.safetensors} file in {@code dir} (sorted by name). */
    public Summary runDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("parity: " + dir + " is not a directory");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        return run(files);
    }

    public Summary run(List<Path> files) {
        int passed = 0, failed = 0, skipped = 0, unreadable = 0;
        List<String> failures = new ArrayList<>(), skips = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString().replace(".safetensors", "");
            SafeTensorsFile st;
            try {
                st = SafeTensors.read(file);
            } catch (IOException | RuntimeException e) {
                unreadable++;
                String line = "ERROR " + file + ": " + e.getMessage();
                failures.add(line);
                out.println(line);
                continue;
            }
            Outcome outcome = runCase(name, st);
            switch (outcome.kind) {
                case PASS -> passed++;
                case SKIP -> {
                    skipped++;
                    skips.add(name + " (" + outcome.lines.get(0) + ")");
                }
                case FAIL -> {
                    failed++;
                    for (String line : outcome.lines) {
                        String full = "FAIL " + name + " " + line;
                        failures.add(full);
                        out.println(full);
                    }
                }
            }
        }
        if (!skips.isEmpty()) out.println("skipped: " + String.join(", ", skips));
        if (unreadable > 0) out.println(unreadable + " file(s) could not be read");
        out.println(passed + " passed, " + failed + " failed, " + skipped + " skipped");
        return new Summary(passed, failed, skipped, unreadable, failures, skips);
    }

    private enum Kind { PASS, FAIL, SKIP }

    private record Outcome(Kind kind, List<String> lines) {
        static Outcome skip(String why) {
            return new Outcome(Kind.SKIP, List.of(why));
        }
    }

    private Outcome runCase(String name, SafeTensorsFile st) {
        Map<String, String> meta = st.metadata();
        String op = meta.get("op");
        if (op == null) return new Outcome(Kind.FAIL, List.of("metadata has no 'op'"));
        OpCase opCase = ParityOps.op(op);
        TrajectoryCase trajectory = ParityOps.trajectory(op);
        if (opCase == null && trajectory == null) return Outcome.skip("op " + op + " not supported yet");
        try {
            if (opCase != null) return check(st, opCase, meta);
            List<String> problems = trajectory.check(st, attrsOf(meta), parseTolerance(meta.get("rtol"), 1e-5), parseTolerance(meta.get("atol"), 1e-8));
            return problems.isEmpty() ? new Outcome(Kind.PASS, List.of()) : new Outcome(Kind.FAIL, problems);
        } catch (UnsupportedCase e) {
            return Outcome.skip(e.getMessage());
        } catch (RuntimeException e) {
            return new Outcome(Kind.FAIL, List.of("threw " + e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    /** Runs the op forward, compares outputs, back-propagates every grad_<output> at once and compares gradients. */
    private Outcome check(SafeTensorsFile st, OpCase opCase, Map<String, String> meta) {
        double rtol = parseTolerance(meta.get("rtol"), 1e-5), atol = parseTolerance(meta.get("atol"), 1e-8);
        List<String> inputNames = list(meta.get("inputs")), outputNames = list(meta.get("outputs")), gradNames = list(meta.get("grads"));
        if (outputNames.isEmpty()) outputNames = List.of("out");
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (String in : inputNames) {
            Tensor t = Tensor.of(st.get(in));
            if (gradNames.contains(in)) t.requiresGrad(true);
            inputs.put(in, t);
        }
        Attrs attrs = attrsOf(meta);

        List<String> problems = new ArrayList<>();
        Tensor[] outputs = opCase.run(inputs, attrs, new Fixture(st, rtol, atol, problems));
        if (outputs.length != outputNames.size()) {
            return new Outcome(Kind.FAIL, List.of("op produced " + outputs.length + " outputs, fixture has " + outputNames.size()));
        }
        for (int i = 0; i < outputs.length; i++) compare(outputNames.get(i), st.get(outputNames.get(i)), outputs[i].data(), rtol, atol, problems);

        List<Integer> withGrad = new ArrayList<>();
        for (int i = 0; i < outputs.length; i++) {
            if (st.tensors().containsKey("grad_" + outputNames.get(i)) && outputs[i].requiresGrad()) withGrad.add(i);
        }
        for (int k = 0; k < withGrad.size(); k++) {
            int i = withGrad.get(k);
            boolean retain = k < withGrad.size() - 1; // later outputs share the graph
            outputs[i].backward(st.get("grad_" + outputNames.get(i)), retain);
        }
        for (String g : gradNames) {
            NDArray expected = st.get("grad." + g);
            NDArray actual = inputs.get(g).grad();
            if (actual == null) problems.add("grad." + g + ": no gradient reached this input");
            else compare("grad." + g, expected, actual, rtol, atol, problems);
        }
        return problems.isEmpty() ? new Outcome(Kind.PASS, List.of()) : new Outcome(Kind.FAIL, problems);
    }

    /** torch.allclose: |actual - expected| <= atol + rtol·|expected|; reports the worst element. */
    static void compare(String tensor, NDArray expected, NDArray actual, double rtol, double atol, List<String> problems) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            problems.add(tensor + ": shape " + Shapes.str(actual.shape()) + ", expected " + Shapes.str(expected.shape()));
            return;
        }
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        int worst = -1;
        double worstExcess = 0, worstError = 0;
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(a[i] - e[i]);
            double excess = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err - (atol + rtol * Math.abs(e[i]));
            if (excess > 0 && (worst < 0 || excess > worstExcess)) {
                worst = i;
                worstExcess = excess;
                worstError = err;
            }
        }
        if (worst >= 0) {
            problems.add(String.format(Locale.ROOT, "%s: worst error %.3e at flat index %d (expected %.8g, got %.8g; rtol %.1e, atol %.1e)",
                    tensor, worstError, worst, e[worst], a[worst], rtol, atol));
        }
    }

    @SuppressWarnings("unchecked")
    private static Attrs attrsOf(Map<String, String> meta) {
        Object json = meta.containsKey("attrs") ? Json.parse(meta.get("attrs")) : Map.of();
        if (!(json instanceof Map<?, ?>)) throw new IllegalArgumentException("attrs is not a JSON object: " + meta.get("attrs"));
        return new Attrs((Map<String, Object>) json);
    }

    private static List<String> list(String csv) {
        if (csv == null || csv.isBlank() || csv.equals("None")) return List.of();
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static double parseTolerance(String s, double fallback) {
        if (s == null || s.isBlank()) return fallback;
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tolerance '" + s + "' is not a number");
        }
    }
}
