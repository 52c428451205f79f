package io.jgrad.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jgrad.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CUDA GEMM kernels themselves, run where no GPU is: gemm.cu, the source of the committed PTX, compiled for the
 * CPU with g++ ({@code src/test/cpp}: a block's threads as threads, {@code __syncthreads} as a barrier, the TF32
 * tensor-core instructions computed lane by lane as the PTX ISA lays out their fragments), with AddressSanitizer
 * and UBSan where g++ has them (an index past a buffer or a shared array, or a misaligned float4 load, fails).
 * The launches are those {@link CudaGemm} plans for an H200, kernel choice, grids, operand structs, split-K and
 * batch turns included, so what runs here is what the GPU would be given. Every one of gemm.cu's twelve entries
 * runs, at sizes off every tile and vector width, on transposed and offset operands, batches, alpha and beta; the
 * result must match a float64 product within the rounding of its precision, C's other elements must be untouched,
 * and with beta = 0 C's NaNs must not be read. Skipped, with the reason printed, where g++ is missing.
 */
class GemmKernelsOnTheCpuTest {

    private static final CudaGemm.Device H200 = new CudaGemm.Device(90, 132, false);
    private static final CudaGemm.Device H200_TF32 = new CudaGemm.Device(90, 132, true);
    private static final Path BASE = Path.of(System.getProperty("basedir", "."));
    private static Path binary;
    /** Why the kernels could not be built here (no g++, or one too old); null when they were. */
    private static String skipReason;

    /** The entries this test's plans launched ({@link #everyEntryRuns}). */
    private final Set<CudaKernel> ran = EnumSet.noneOf(CudaKernel.class);

    @BeforeAll
    static void compile() throws Exception {
        Path out = BASE.resolve("target/gemm-on-cpu");
        Files.createDirectories(out);
        binary = out.resolve("gemm_on_cpu");
        List<String> command = new ArrayList<>(List.of("g++", "-std=c++20", "-O1", "-g", "-pthread", "-fno-strict-aliasing",
                "-I" + BASE.resolve("src/main/cuda"), "-I" + BASE.resolve("src/test/cpp"),
                BASE.resolve("src/test/cpp/gemm_on_cpu.cpp").toString(), "-o", binary.toString()));
        List<String> sanitized = new ArrayList<>(command);
        sanitized.addAll(1, List.of("-fsanitize=address,undefined", "-fno-sanitize-recover=all"));
        Result version;
        try {
            version = exec(List.of("g++", "-dumpversion"), null, 30);
        } catch (IOException e) {
            skip("g++ not found (" + e.getMessage() + ")");
            return;
        }
        java.util.regex.Matcher leading = java.util.regex.Pattern.compile("^(\\d+)").matcher(version.output.trim());
        int major = version.status == 0 && leading.find() ? Integer.parseInt(leading.group(1)) : 0;
        if (major < 11) {
            skip("g++ " + version.output.trim() + " is older than 11 (C++20's <barrier>)");
            return;
        }
        Result r = exec(sanitized, null, 300);
        if (r.status != 0) {
            System.out.println("GemmKernelsOnTheCpuTest: g++ cannot build with AddressSanitizer and UBSan here; built without them:\n" + r.output);
            r = exec(command, null, 300);
            if (r.status != 0) fail("g++ could not compile gemm.cu for the CPU:\n" + r.output);
        }
    }

    /** Each test is skipped, with the reason, where the kernels could not be built ({@link #compile}). */
    @BeforeEach
    void builtHere() {
        Assumptions.assumeTrue(skipReason == null, skipReason);
    }

    /** Prints why the tests are skipped; {@link #builtHere} skips each with it. */
    private static void skip(String why) {
        skipReason = why + ": the CUDA GEMM kernels are not run on the CPU here";
        System.out.println("GemmKernelsOnTheCpuTest skipped: " + skipReason);
    }

    @Test
    void singleAndTransposedFloatProductsTakeTheSimtKernels() {
        Random rnd = new Random(1);
        // {m, n, k}: off every tile (128, 64), every K slice (8, 16, 32) and float4 width; K under one slice.
        int[][] shapes = {{150, 131, 77}, {129, 257, 5}, {200, 70, 33}, {64, 190, 41}, {33, 129, 100}};
        for (int[] s : shapes) {
            // Row-major on 16-byte boundaries (float4 loads), row-major off them (scalar loads), transposed.
            check(DType.FLOAT32, s[0], s[1], s[2], 1, false, false, true, 1.5, rnd.nextBoolean() ? 0 : -0.5, H200, false, rnd);
            check(DType.FLOAT32, s[0], s[1], s[2], 1, false, false, false, 1.5, rnd.nextBoolean() ? 0 : -0.5, H200, false, rnd);
            boolean transA = rnd.nextBoolean();
            check(DType.FLOAT32, s[0], s[1], s[2], 1, transA, !transA || rnd.nextBoolean(), false, 1.5, rnd.nextBoolean() ? 0 : -0.5, H200, false, rnd);
        }
    }

    @Test
    void secondVariantsRunOnAlignedRowMajorOperands() {
        Random rnd = new Random(2);
        int[][] shapes = {{150, 131, 77}, {129, 257, 5}, {257, 130, 70}, {300, 140, 36}};
        for (int[] s : shapes) {
            check(DType.FLOAT32, s[0], s[1], s[2], 1, false, false, true, 1, rnd.nextBoolean() ? 0 : 0.25, H200, true, rnd);
            check(DType.FLOAT32, s[0], s[1], s[2], 1, false, false, true, -1, 0.5, H200_TF32, true, rnd);
        }
    }

    @Test
    void tensorCoreProductsRoundToTf32AndMatchItsProduct() {
        Random rnd = new Random(3);
        int[][] shapes = {{150, 131, 77}, {129, 257, 9}, {64, 190, 41}, {17, 300, 100}};
        for (int[] s : shapes) {
            check(DType.FLOAT32, s[0], s[1], s[2], 1, rnd.nextBoolean(), rnd.nextBoolean(), false, 1, rnd.nextBoolean() ? 0 : 2, H200_TF32, false, rnd);
        }
    }

    @Test
    void batchesSmallProductsAndDoubles() {
        Random rnd = new Random(4);
        check(DType.FLOAT32, 70, 140, 30, 3, true, false, false, 1, 0.5, H200, false, rnd);
        check(DType.FLOAT32, 132, 66, 24, 2, false, false, true, 1, 0, H200, true, rnd);
        check(DType.FLOAT32, 7, 300, 13, 2, false, true, false, 1, 0, H200, false, rnd);        // sgemm_small
        check(DType.FLOAT32, 40, 40, 40, 1, false, false, true, 2, -1, H200, false, rnd);       // small by work
        check(DType.FLOAT64, 130, 70, 45, 2, true, true, false, 1, 0.5, H200, false, rnd);      // dgemm_64x64
        check(DType.FLOAT64, 9, 33, 70, 1, false, false, false, -1, 0, H200, false, rnd);       // dgemm_small
    }

    @Test
    void splitProductsSumTheirSlicesInOrder() {
        Random rnd = new Random(5);
        // {m, n, k}: a shorter last slice (1000), fc1's product at a small batch, a conv weight gradient's shape.
        check(DType.FLOAT32, 64, 96, 1000, 1, false, false, true, 1, 0, H200, false, rnd);
        check(DType.FLOAT32, 128, 128, 640, 1, false, true, false, 1, 0.5, H200, false, rnd);
        check(DType.FLOAT32, 64, 288, 768, 1, false, true, false, 1, 0, H200, false, rnd);
        check(DType.FLOAT32, 100, 70, 777, 1, false, false, true, 1, 0, H200_TF32, true, rnd);
        check(DType.FLOAT64, 100, 70, 777, 1, true, false, false, 0.5, 1, H200, false, rnd);
        check(DType.FLOAT32, 3, 5, 4096, 1, false, false, false, 1, 0, H200, false, rnd);
    }

    /** One plan of each kind CudaGemm chooses between, FP32 and TF32, first and second kernels: all of gemm.cu runs. */
    @Test
    void everyEntryRuns() {
        Random rnd = new Random(6);
        for (boolean second : new boolean[] {false, true}) {
            for (CudaGemm.Device d : new CudaGemm.Device[] {H200, H200_TF32}) {
                check(DType.FLOAT32, 150, 131, 400, 1, false, false, true, 1, 0, d, second, rnd);
                check(DType.FLOAT32, 150, 131, 40, 1, true, false, false, 1, 0, d, second, rnd);
                check(DType.FLOAT32, 60, 131, 40, 1, false, false, true, 1, 0, d, second, rnd);
                check(DType.FLOAT32, 60, 131, 40, 1, false, true, false, 1, 0, d, second, rnd);
            }
        }
        check(DType.FLOAT32, 5, 7, 300, 1, false, false, false, 1, 0, H200, false, rnd);
        check(DType.FLOAT64, 130, 70, 300, 1, false, false, false, 1, 0, H200, false, rnd);
        check(DType.FLOAT64, 5, 7, 300, 1, false, false, false, 1, 0, H200, false, rnd);
        Set<CudaKernel> gemm = EnumSet.noneOf(CudaKernel.class);
        for (CudaKernel k : CudaKernel.values()) if (k.family().equals("gemm")) gemm.add(k);
        Set<CudaKernel> missing = EnumSet.copyOf(gemm);
        missing.removeAll(ran);
        assertTrue(missing.isEmpty(), "entries of gemm.cu no product here ran: " + missing);
    }

    /**
     * Plans {@code batches} products of m x k by k x n on {@code device} (with the second kernels when
     * {@code second}), runs the plan through gemm.cu on the CPU and checks C. Operands sit at offsets in padded
     * buffers; {@code aligned} keeps them row-major on 16-byte boundaries (the float4 kernels' condition).
     */
    private void check(DType dtype, int m, int n, int k, int batches, boolean transA, boolean transB, boolean aligned,
                       double alpha, double beta, CudaGemm.Device device, boolean second, Random rnd) {
        int pad = aligned ? 4 : 3;
        int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + (aligned ? 4 : 1), ldc = n + 2;
        if (aligned) {
            lda = roundUp(lda, 4);
            ldb = roundUp(ldb, 4);
        }
        long strideA = roundUp((long) (transA ? k : m) * lda + 1, aligned ? 4 : 1), strideB = roundUp((long) (transB ? n : k) * ldb, aligned ? 4 : 1);
        long strideC = (long) m * ldc + 5;
        int offA = aligned ? 8 : 5, offB = aligned ? 4 : 2, offC = 7;
        double[] a = random(rnd, offA + batches * strideA, dtype), b = random(rnd, offB + batches * strideB, dtype), c0 = random(rnd, offC + batches * strideC, dtype);
        Object aBuf = new Object(), bBuf = new Object(), cBuf = new Object(), wBuf = new Object();
        CudaGemm.Operand ao = transA ? new CudaGemm.Operand(aBuf, offA, 1, lda, strideA) : new CudaGemm.Operand(aBuf, offA, lda, 1, strideA);
        CudaGemm.Operand bo = transB ? new CudaGemm.Operand(bBuf, offB, 1, ldb, strideB) : new CudaGemm.Operand(bBuf, offB, ldb, 1, strideB);
        CudaGemm.Operand co = new CudaGemm.Operand(cBuf, offC, ldc, 1, strideC);
        if (beta == 0) {
            // C's products are NaN beforehand: beta = 0 must not read them.
            for (int q = 0; q < batches; q++) for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c0[(int) at(co, q, i, j)] = Double.NaN;
        }
        boolean before = CudaGemm.secondVariant;
        List<CudaGemm.Launch> plan;
        try {
            CudaGemm.secondVariant = second;
            var split = CudaGemm.split(dtype, m, n, k, batches, ao, bo, device);
            plan = CudaGemm.launches(dtype, m, n, k, batches, alpha, ao, bo, beta, co, device, split, wBuf);
            double[] workspace = new double[(int) CudaGemm.workspaceElements(m, n, split)];
            Arrays.fill(workspace, Double.NaN);   // uninitialised: every partial must be written before it is read
            Map<Object, double[]> memory = new IdentityHashMap<>(Map.of(aBuf, a, bBuf, b, cBuf, c0, wBuf, workspace));
            String what = dtype + " " + m + "x" + n + "x" + k + " batches " + batches + (transA ? " A^T" : "") + (transB ? " B^T" : "")
                    + (aligned ? " aligned" : "") + " alpha " + alpha + " beta " + beta + (device.tf32() ? " tf32" : "") + (second ? " v2" : "")
                    + ", plan " + plan.stream().map(l -> l.kernel() + Arrays.toString(l.grid())).toList();
            double[] c = runOnCpu(plan, memory, cBuf, dtype, what);
            boolean tf32 = plan.stream().anyMatch(l -> l.kernel() == CudaKernel.SGEMM_TF32 || l.kernel() == CudaKernel.SGEMM_TF32_V2);
            compare(dtype, m, n, k, batches, alpha, beta, ao, bo, co, a, b, c0, c, tf32, what);
            for (CudaGemm.Launch l : plan) ran.add(l.kernel());
        } finally {
            CudaGemm.secondVariant = before;
        }
    }

    private static void compare(DType dtype, int m, int n, int k, int batches, double alpha, double beta, CudaGemm.Operand ao, CudaGemm.Operand bo,
                                CudaGemm.Operand co, double[] a, double[] b, double[] c0, double[] c, boolean tf32, String what) {
        // The worst case of a sum of k products in the kernel's precision (TF32 products of TF32 inputs are exact
        // in float): a wrong, missing or doubled term is of the order of one product, far above it.
        double unit = dtype == DType.FLOAT64 ? 0x1p-53 : 0x1p-24;
        boolean[] output = new boolean[c.length];
        for (int q = 0; q < batches; q++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0, abs = 0;
                    for (int p = 0; p < k; p++) {
                        double x = a[(int) at(ao, q, i, p)], y = b[(int) at(bo, q, p, j)];
                        if (tf32) {
                            x = roundTf32(x);
                            y = roundTf32(y);
                        }
                        sum += x * y;
                        abs += Math.abs(x * y);
                    }
                    int ci = (int) at(co, q, i, j);
                    output[ci] = true;
                    double old = beta == 0 ? 0 : c0[ci];
                    double want = alpha * sum + beta * old;
                    double bound = 2 * (k + 3) * unit * (Math.abs(alpha) * abs + Math.abs(beta * old)) + 1e-30;
                    if (!(Math.abs(c[ci] - want) <= bound)) {
                        fail(what + ": batch " + q + " (" + i + ", " + j + ") is " + c[ci] + ", want " + want + " within " + bound);
                    }
                }
            }
        }
        for (int i = 0; i < c.length; i++) {
            if (!output[i]) assertEquals(c0[i], c[i], what + ": element " + i + " of C's buffer is outside the product and changed");
        }
    }

    /** cvt.rna.tf32.f32 of a float value: 10 mantissa bits, ties away from zero. */
    private static double roundTf32(double v) {
        int bits = Float.floatToRawIntBits((float) v);
        return Float.intBitsToFloat((bits + 0x1000) & 0xffffe000);
    }

    /** Writes the buffers and launches for gemm_on_cpu, runs it and returns {@code result}'s buffer after the launches. */
    private static double[] runOnCpu(List<CudaGemm.Launch> plan, Map<Object, double[]> memory, Object result, DType dtype, String what) {
        Map<Object, Integer> ids = new IdentityHashMap<>();
        StringBuilder in = new StringBuilder();
        String kind = dtype == DType.FLOAT64 ? "d" : "f";
        for (Map.Entry<Object, double[]> e : memory.entrySet()) {
            int id = ids.size() + 1;
            ids.put(e.getKey(), id);
            in.append("buffer ").append(id).append(' ').append(kind).append(' ').append(e.getValue().length).append('\n');
            for (double v : e.getValue()) in.append(Double.toHexString(v)).append('\n');
        }
        for (CudaGemm.Launch l : plan) {
            in.append("launch ").append(l.kernel().entry());
            for (int g : l.grid()) in.append(' ').append(g);
            for (int t : l.block()) in.append(' ').append(t);
            in.append(' ').append(l.args().length).append('\n');
            for (Object x : l.args()) {
                if (x instanceof long[] s) in.append("O ").append(s[0]).append(' ').append(s[1]).append(' ').append(s[2]).append(' ').append(s[3]);
                else if (x instanceof Integer i) in.append("i ").append(i);
                else if (x instanceof Float f) in.append("f ").append(Double.toHexString(f));
                else if (x instanceof Double d) in.append("d ").append(Double.toHexString(d));
                else if (ids.containsKey(x)) in.append("p ").append(ids.get(x));
                else throw new AssertionError(what + ": an argument of " + l.kernel() + " is no buffer of the test: " + x);
                in.append('\n');
            }
        }
        in.append("read ").append(ids.get(result)).append('\n');
        Result r;
        try {
            r = exec(List.of(binary.toString()), in.toString(), 120);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (r.status != 0) fail(what + ": gemm_on_cpu exited with " + r.status + ":\n" + r.output);
        String[] lines = r.output.split("\n");
        int start = 0;
        while (start < lines.length && !lines[start].startsWith("values ")) start++;
        assertTrue(start < lines.length, what + ": no values in\n" + r.output);
        int count = Integer.parseInt(lines[start].split(" ")[2]);
        double[] out = new double[count];
        for (int i = 0; i < count; i++) out[i] = parse(lines[start + 1 + i]);
        return out;
    }

    private static double parse(String s) {
        return switch (s.trim()) {
            case "nan", "-nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s.trim());
        };
    }

    private record Result(int status, String output) {
    }

    private static Result exec(List<String> command, String input, long timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        // A preloaded library (the JVM's libjsig, for OpenCL) would come before ASan's runtime, which must be first.
        pb.environment().remove("LD_PRELOAD");
        pb.environment().put("ASAN_OPTIONS", "detect_leaks=0");
        Path stdin = null;
        if (input != null) {
            stdin = Files.createTempFile("gemm-on-cpu", ".in");
            Files.writeString(stdin, input, StandardCharsets.US_ASCII);
            pb.redirectInput(stdin.toFile());
        }
        Process p = pb.start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out after " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            if (stdin != null) Files.deleteIfExists(stdin);
        }
    }

    private static long at(CudaGemm.Operand x, int batch, int r, int c) {
        return x.offset() + batch * x.batchStride() + r * x.rowStride() + c * x.colStride();
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    private static long roundUp(long x, int to) {
        return (x + to - 1) / to * to;
    }

    /** Values a float can hold exactly for float products, so inputs are the same on both sides. */
    private static double[] random(Random rnd, long n, DType dtype) {
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = dtype == DType.FLOAT32 ? (float) (rnd.nextDouble() * 2 - 1) : rnd.nextDouble() * 2 - 1;
        return v;
    }
}
