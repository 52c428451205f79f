package io.jgrad.kernels.cpu;

import static io.jgrad.kernels.cpu.VectorChecks.REFERENCE;
import static io.jgrad.kernels.cpu.VectorChecks.VECTOR;
import static io.jgrad.kernels.cpu.VectorChecks.assertBitwise;
import static io.jgrad.kernels.cpu.VectorChecks.assertClose;
import static io.jgrad.kernels.cpu.VectorChecks.randn;
import static io.jgrad.kernels.cpu.VectorChecks.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jgrad.tensor.Generator;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AttentionGeometry;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.ComposedAttention;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused attention kernels (reference and vector) against each other and against the composed default, at
 * odd sizes (L 1, 3, 17, 65 around the vector width and the key block; head dims 1, 7, 32), with each kind of
 * mask, causal, and q/k/v that are views of one packed in-projection, as in MultiheadAttention.
 */
class VectorAttentionTest {

    private static final int BATCH = 2, HEADS = 3;

    /** The arrays of one problem set: q, k, v as head views {@code [N, H, T, E]} of packed projections. */
    private record Problem(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g) {
    }

    /**
     * {@code [N, T, 3·H·E]} projections split into heads: narrow, reshape, permute (non-contiguous, inner stride
     * 1), the layout MultiheadAttention hands to the kernel.
     */
    private static NDArray heads(NDArray packed, int which, int e) {
        int n = packed.shape(0), t = packed.shape(1);
        return packed.narrow(2, which * HEADS * e, HEADS * e).reshape(n, t, HEADS, e).permute(0, 2, 1, 3);
    }

    /** {@code mask}: none, keyPadding (-inf on the last keys of batch 1), attn (a [L, S] float mask with one row fully hidden). */
    private static Problem problem(int l, int s, int e, String mask, boolean causal) {
        Generator gen = new Generator(l * 1009 + s * 31 + e);
        NDArray qPacked = randn(gen, BATCH, l, 3 * HEADS * e), kvPacked = randn(gen, BATCH, s, 3 * HEADS * e);
        NDArray q = heads(qPacked, 0, e), k = heads(kvPacked, 1, e), v = heads(kvPacked, 2, e);
        assertFalse(q.isContiguous());
        NDArray m = switch (mask) {
            case "none" -> null;
            case "keyPadding" -> {
                NDArray pad = zeros(BATCH, 1, 1, s);
                for (int j = s / 2 + 1; j < s; j++) pad.set(Double.NEGATIVE_INFINITY, 1, 0, 0, j);
                yield pad;
            }
            case "attn" -> {
                NDArray a = randn(gen, l, s);
                for (int j = 0; j < s; j++) {
                    a.set(Double.NEGATIVE_INFINITY, l / 2, j);              // a query that sees nothing
                    if ((j * 7 + 3) % 5 == 0) a.set(Double.NEGATIVE_INFINITY, l - 1, j);
                }
                yield a;
            }
            default -> throw new IllegalArgumentException(mask);
        };
        AttentionGeometry g = AttentionGeometry.of("test", q.shape(), k.shape(), v.shape(), m == null ? null : m.shape(), 1 / Math.sqrt(e), causal);
        return new Problem(q, k, v, m == null ? null : m.expand(g.shape(l, s)), g);
    }

    private static NDArray[] forward(Backend backend, Problem p) {
        NDArray out = zeros(p.g.outputShape()), lse = zeros(p.g.logSumExpShape());
        backend.attention(p.q, p.k, p.v, p.mask, p.g, out, lse);
        return new NDArray[] {out, lse};
    }

    private static NDArray[] backward(Backend backend, Problem p, NDArray out, NDArray lse, NDArray gradOut) {
        NDArray gq = zeros(p.q.shape()), gk = zeros(p.k.shape()), gv = zeros(p.v.shape());
        backend.attentionBackward(p.q, p.k, p.v, p.mask, p.g, out, lse, gradOut, gq, gk, gv);
        return new NDArray[] {gq, gk, gv};
    }

    private static NDArray[] composedForward(Problem p) {
        NDArray out = zeros(p.g.outputShape()), lse = zeros(p.g.logSumExpShape());
        ComposedAttention.forward(p.q, p.k, p.v, p.mask, p.g, out, lse);
        return new NDArray[] {out, lse};
    }

    private static NDArray[] composedBackward(Problem p, NDArray out, NDArray lse, NDArray gradOut) {
        NDArray gq = zeros(p.q.shape()), gk = zeros(p.k.shape()), gv = zeros(p.v.shape());
        ComposedAttention.backward(p.q, p.k, p.v, p.mask, p.g, out, lse, gradOut, gq, gk, gv);
        return new NDArray[] {gq, gk, gv};
    }

    /** Float32 rounding of sums of a few dozen terms; the log-sum-exp and gradients compared the same way. */
    private static void assertAllClose(NDArray[] expected, NDArray[] actual, String what) {
        String[] names = {"[0]", "[1]", "[2]"};
        for (int i = 0; i < expected.length; i++) assertClose(expected[i], actual[i], 2e-4, 2e-5, what + names[i]);
    }

    @ParameterizedTest(name = "L {0}, S {1}, E {2}, mask {3}, causal {4}")
    @CsvSource({
            "1, 1, 1, none, false", "1, 1, 7, attn, false", "3, 3, 7, none, true", "3, 17, 32, keyPadding, false",
            "17, 17, 1, attn, false", "17, 17, 7, keyPadding, true", "17, 3, 32, none, true", "65, 65, 32, none, false",
            "65, 65, 7, attn, true", "65, 65, 1, keyPadding, false", "3, 65, 32, attn, false", "65, 130, 32, keyPadding, true",
            "65, 1, 7, none, false", "1, 65, 32, keyPadding, true",
    })
    void vectorMatchesTheReferenceAndTheComposition(int l, int s, int e, String mask, boolean causal) {
        Problem p = problem(l, s, e, mask, causal);
        NDArray[] expected = forward(REFERENCE, p), actual = forward(VECTOR, p);
        assertAllClose(expected, actual, "forward vector vs reference");
        assertAllClose(expected, composedForward(p), "forward composed vs reference");

        NDArray gradOut = VectorChecks.transposed(randn(new Generator(l + s), BATCH, HEADS, l, e)); // a strided view
        NDArray[] gradExpected = backward(REFERENCE, p, expected[0], expected[1], gradOut);
        assertAllClose(gradExpected, backward(VECTOR, p, expected[0], expected[1], gradOut), "backward vector vs reference");
        assertAllClose(gradExpected, composedBackward(p, expected[0], expected[1], gradOut), "backward composed vs reference");
        for (NDArray a : gradExpected) assertFalse(hasNaN(a), "no NaN in the gradients");
    }

    @Test
    void aQueryThatSeesNoKeyGetsZerosEverywhere() {
        Problem p = problem(5, 9, 7, "attn", false);
        for (Backend b : new Backend[] {REFERENCE, VECTOR}) {
            NDArray[] r = forward(b, p);
            for (int n = 0; n < BATCH; n++) {
                for (int h = 0; h < HEADS; h++) {
                    assertEquals(Double.NEGATIVE_INFINITY, r[1].get(n, h, 2), b.name());
                    for (int x = 0; x < 7; x++) assertEquals(0.0, r[0].get(n, h, 2, x), b.name());
                }
            }
            NDArray[] grads = backward(b, p, r[0], r[1], randn(new Generator(1), BATCH, HEADS, 5, 7));
            for (int x = 0; x < 7; x++) assertEquals(0.0, grads[0].get(1, 2, 2, x), b.name() + ": dq of the blind query");
            for (NDArray a : grads) assertFalse(hasNaN(a), b.name());
        }
    }

    /** Softmax over one key is 1: the output is that key's value, the log-sum-exp its score. */
    @Test
    void oneKeyGivesItsValue() {
        Problem p = problem(4, 1, 7, "none", false);
        NDArray[] r = forward(VECTOR, p);
        for (int i = 0; i < 4; i++) {
            for (int x = 0; x < 7; x++) assertEquals(p.v.get(1, 2, 0, x), r[0].get(1, 2, i, x), 1e-6);
        }
        double score = 0;
        for (int x = 0; x < 7; x++) score += p.q.get(0, 1, 3, x) * p.k.get(0, 1, 0, x);
        assertEquals(score / Math.sqrt(7), r[1].get(0, 1, 3), 1e-5);
    }

    /** Keys in several blocks of the online softmax, with the largest score in the last block: the rescaling is exercised. */
    @Test
    void theOnlineSoftmaxRescalesEarlierBlocks() {
        int s = 3 * VectorAttention.KEY_BLOCK + 5;
        Problem p = problem(3, s, 7, "none", false);
        for (int x = 0; x < 7; x++) p.k.set(4 * p.q.get(0, 0, 0, x), 0, 0, s - 1, x); // a key that dominates query 0
        assertAllClose(forward(REFERENCE, p), forward(VECTOR, p), "forward");
        assertTrue(forward(VECTOR, p)[1].get(0, 0, 0) > 1, "the dominant key's score sets the log-sum-exp");
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Problem p = problem(65, 65, 32, "keyPadding", true);
        VectorBackend one = new VectorBackend(1), three = new VectorBackend(3);
        NDArray[] a = forward(one, p), b = forward(three, p);
        assertBitwise(a[0], b[0], "out");
        assertBitwise(a[1], b[1], "lse");
        NDArray gradOut = randn(new Generator(3), p.g.outputShape());
        NDArray[] ga = backward(one, p, a[0], a[1], gradOut), gb = backward(three, p, a[0], a[1], gradOut);
        for (int i = 0; i < 3; i++) assertBitwise(ga[i], gb[i], "grad " + i);
    }

    private static boolean hasNaN(NDArray a) {
        for (double x : a.toDoubleArray()) if (Double.isNaN(x)) return true;
        return false;
    }
}
