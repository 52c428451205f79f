package io.jgrad.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.UnaryOp;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@link UnaryOp}, {@link BinaryOp} and {@link ReduceOp} constant has its {@code case} in every switch of
 * the OpenCL sources that switches over that enum, in both the floating and the {@code INTEGRAL} instantiation
 * (a missing case would fall through to the default). A plain scan of the {@code .cl} resources: no OpenCL
 * device needed. It also checks the {@code *_CASES} counts the sources compare with the host's enum sizes.
 */
class OpCasesTest {

    /** The op-code prefix the host defines for each enum (OpenClBackend.codes). */
    private static final Map<String, Enum<?>[]> ENUMS = Map.of(
            "UNARY_", UnaryOp.values(), "BINARY_", BinaryOp.values(), "REDUCE_", ReduceOp.values());

    private static final Pattern SWITCH = Pattern.compile("switch\\s*\\(\\s*op\\s*\\)\\s*\\{");
    private static final Pattern CASE = Pattern.compile("case\\s+(UNARY_|BINARY_|REDUCE_)(\\w+)\\s*:");
    private static final Pattern CASES_COUNT = Pattern.compile("#define\\s+(UNARY_|BINARY_|REDUCE_)CASES\\s+(\\d+)");

    @Test
    void everyOpHasItsCaseInEveryOpenClSwitch() throws Exception {
        List<String> problems = new ArrayList<>();
        int switches = 0;
        for (Map.Entry<String, String> file : openClSources().entrySet()) {
            String source = file.getValue();
            for (boolean integral : new boolean[] {false, true}) {
                List<String> found = missingCases(file.getKey(), source, integral);
                switches += Integer.parseInt(found.remove(0));
                problems.addAll(found);
            }
        }
        if (!problems.isEmpty()) fail(String.join("\n", problems));
        // elementwise.cl's unary and binary, reduce.cl's reduce_combine; each in two instantiations
        assertTrue(switches >= 6, "found only " + switches + " switches over an op enum: has the source layout changed?");
    }

    @Test
    void theCaseCountsMatchTheEnums() throws Exception {
        int counts = 0;
        for (Map.Entry<String, String> file : openClSources().entrySet()) {
            Matcher m = CASES_COUNT.matcher(file.getValue());
            while (m.find()) {
                Enum<?>[] values = ENUMS.get(m.group(1));
                assertEquals(values.length, Integer.parseInt(m.group(2)), file.getKey() + ": " + m.group(1) + "CASES against "
                        + values[0].getDeclaringClass().getSimpleName() + "'s " + values.length + " constants");
                counts++;
            }
        }
        assertEquals(3, counts, "UNARY_CASES, BINARY_CASES, REDUCE_CASES");
    }

    /** The scan itself: a switch missing a constant is reported with the op, the file and the instantiation. */
    @Test
    void aMissingCaseIsReportedWithTheOpAndTheFile() {
        String source = """
                inline T reduce_combine(int op, T acc, T v) {
                    switch (op) {
                        case REDUCE_AMAX: return acc;
                #ifdef INTEGRAL
                        case REDUCE_AMIN: return acc;
                #endif
                        case REDUCE_SUM: case REDUCE_MEAN:
                        default: return acc + v;
                    }
                }
                """;
        assertEquals(List.of("1"), missingCases("fake.cl", source, true));
        List<String> floating = missingCases("fake.cl", source, false);
        assertEquals(2, floating.size(), floating.toString());
        assertTrue(floating.get(1).contains("fake.cl") && floating.get(1).contains("REDUCE_AMIN")
                && floating.get(1).contains("ReduceOp"), floating.get(1));
    }

    /**
     * The switches over an op enum in {@code source} as compiled with or without {@code INTEGRAL}: the first
     * element is how many there are, the rest one line per constant without its case.
     */
    private static List<String> missingCases(String file, String source, boolean integral) {
        String code = withIntegral(source, integral);
        List<String> result = new ArrayList<>();
        int count = 0;
        Matcher s = SWITCH.matcher(code);
        while (s.find()) {
            String body = code.substring(s.end(), closingBrace(code, s.end() - 1));
            Set<String> cases = new LinkedHashSet<>();
            String prefix = null;
            Matcher c = CASE.matcher(body);
            while (c.find()) {
                prefix = c.group(1);
                cases.add(c.group(2));
            }
            if (prefix == null) continue;
            count++;
            for (Enum<?> op : ENUMS.get(prefix)) {
                if (!cases.contains(op.name())) {
                    result.add(file + (integral ? " (INTEGRAL)" : "") + ": the switch over " + op.getDeclaringClass().getSimpleName()
                            + " at line " + (lineOf(code, s.start())) + " has no case " + prefix + op.name());
                }
            }
        }
        result.add(0, Integer.toString(count));
        return result;
    }

    /** {@code source} with the {@code #ifdef INTEGRAL} / {@code #ifndef INTEGRAL} branches resolved; other conditionals keep both sides. */
    private static String withIntegral(String source, boolean integral) {
        StringBuilder out = new StringBuilder();
        Deque<Boolean[]> frames = new ArrayDeque<>(); // {is an INTEGRAL frame, this branch is taken}
        for (String line : source.split("\n", -1)) {
            String t = line.trim();
            if (t.startsWith("#ifdef INTEGRAL")) frames.push(new Boolean[] {true, integral});
            else if (t.startsWith("#ifndef INTEGRAL")) frames.push(new Boolean[] {true, !integral});
            else if (t.startsWith("#if")) frames.push(new Boolean[] {false, true});
            else if (t.startsWith("#else") && !frames.isEmpty() && frames.peek()[0]) frames.peek()[1] = !frames.peek()[1];
            else if (t.startsWith("#endif") && !frames.isEmpty()) frames.pop();
            boolean taken = frames.stream().allMatch(f -> f[1]);
            out.append(taken && !t.startsWith("#") ? line : "").append('\n'); // keep line numbers
        }
        return out.toString();
    }

    private static int closingBrace(String code, int open) {
        int depth = 0;
        for (int i = open; i < code.length(); i++) {
            if (code.charAt(i) == '{') depth++;
            else if (code.charAt(i) == '}' && --depth == 0) return i;
        }
        throw new AssertionError("unbalanced braces after position " + open);
    }

    private static int lineOf(String code, int position) {
        return (int) code.substring(0, position).chars().filter(ch -> ch == '\n').count() + 1;
    }

    /**
     * Every {@code .cl} source of the backend, by file name: from the classes folder, or from the jar the classes
     * came in (the GPU check runs these tests against jgrad.jar on a runtime without the zip file system, so the
     * jar is read with {@link JarFile}).
     */
    private static Map<String, String> openClSources() throws IOException, URISyntaxException {
        URL url = OpenClBackend.class.getResource("elementwise.cl");
        Map<String, String> sources = new TreeMap<>();
        if (url.getProtocol().equals("jar")) {
            JarURLConnection connection = (JarURLConnection) url.openConnection();
            connection.setUseCaches(false);
            String dir = connection.getEntryName().substring(0, connection.getEntryName().lastIndexOf('/') + 1);
            try (JarFile jar = connection.getJarFile()) {
                for (JarEntry e : java.util.Collections.list(jar.entries())) {
                    String name = e.getName();
                    if (name.startsWith(dir) && name.endsWith(".cl") && name.indexOf('/', dir.length()) < 0) {
                        try (InputStream in = jar.getInputStream(e)) {
                            sources.put(name.substring(dir.length()), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                        }
                    }
                }
            }
        } else {
            Path dir = Path.of(url.toURI()).getParent();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".cl")).toList()) sources.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        assertTrue(sources.size() >= 2, "OpenCL sources next to " + url + ": " + sources.keySet());
        return sources;
    }
}
