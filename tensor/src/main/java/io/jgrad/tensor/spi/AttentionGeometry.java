package io.jgrad.tensor.spi;

import io.jgrad.tensor.Shapes;

import java.util.Arrays;

/**
 * Every size of one scaled dot-product attention, derived once from the shapes by {@link #of}, which also checks
 * them; every backend reads its loops from here. Query {@code [...batch, L, E]}, key {@code [...batch, S, E]},
 * value {@code [...batch, S, Ev]}, output {@code [...batch, L, Ev]}, log-sum-exp {@code [...batch, L]}; the batch
 * dims are those of the three inputs broadcast together, and the optional mask broadcasts to
 * {@code [...batch, L, S]}.
 *
 * @param batch     the broadcast batch dims
 * @param queries   L
 * @param keys      S
 * @param headDim   E, the length of a query and of a key
 * @param valueDim  Ev
 * @param scale     the factor of every score {@code q·k}
 * @param causal    whether key {@code j} is hidden from query {@code i} when {@code j > i} (aligned top left, as
 *                  PyTorch's {@code is_causal})
 */
public record AttentionGeometry(int[] batch, int queries, int keys, int headDim, int valueDim, double scale, boolean causal) {

    /**
     * The geometry of {@code op} (named in errors) for inputs of these shapes ({@code mask} may be null); throws
     * {@link IllegalArgumentException} naming the op and the shapes when they do not fit together.
     */
    public static AttentionGeometry of(String op, int[] q, int[] k, int[] v, int[] mask, double scale, boolean causal) {
        if (q.length < 2 || k.length < 2 || v.length < 2 || q[q.length - 1] != k[k.length - 1] || k[k.length - 2] != v[v.length - 2]) {
            throw new IllegalArgumentException(op + ": expected query [..., L, E], key [..., S, E], value [..., S, Ev], got " + str(q) + ", " + str(k) + ", " + str(v));
        }
        int[] batch = Shapes.broadcast(op + " (batch dims of query, key, value)", Shapes.broadcast(op, lead(q), lead(k)), lead(v));
        int l = q[q.length - 2], s = k[k.length - 2];
        int[] scores = Shapes.concat(batch, l, s);
        if (mask != null && (!Shapes.broadcastable(mask, scores) || !Arrays.equals(Shapes.broadcast(op, mask, scores), scores))) {
            throw new IllegalArgumentException(op + ": mask of shape " + str(mask) + " does not broadcast to the scores " + str(scores));
        }
        if (!Double.isFinite(scale)) throw new IllegalArgumentException(op + ": scale must be finite, got " + scale);
        return new AttentionGeometry(batch, l, s, q[q.length - 1], v[v.length - 1], scale, causal);
    }

    /** Number of attention problems, the product of the batch dims. */
    public int batchCount() {
        int n = 1;
        for (int b : batch) n *= b;
        return n;
    }

    /** {@code [...batch, rows, columns]} */
    public int[] shape(int rows, int columns) {
        return Shapes.concat(batch, rows, columns);
    }

    /** {@code [...batch, L, Ev]} */
    public int[] outputShape() {
        return shape(queries, valueDim);
    }

    /** {@code [...batch, L]} */
    public int[] logSumExpShape() {
        int[] s = Arrays.copyOf(batch, batch.length + 1);
        s[batch.length] = queries;
        return s;
    }

    /** The keys query {@code i} may see are {@code 0 .. visibleKeys(i) - 1}: all of them, or up to {@code i} when causal. */
    public int visibleKeys(int i) {
        return causal ? Math.min(keys, i + 1) : keys;
    }

    private static int[] lead(int[] shape) {
        return Arrays.copyOf(shape, shape.length - 2);
    }

    private static String str(int[] shape) {
        return Shapes.str(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttentionGeometry g && Arrays.equals(batch, g.batch) && queries == g.queries && keys == g.keys
                && headDim == g.headDim && valueDim == g.valueDim && scale == g.scale && causal == g.causal;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(batch) * 31 + Arrays.hashCode(new double[] {queries, keys, headDim, valueDim, scale, causal ? 1 : 0});
    }

    @Override
    public String toString() {
        return "AttentionGeometry[batch=" + str(batch) + ", L=" + queries + ", S=" + keys + ", E=" + headDim + ", Ev=" + valueDim
                + ", scale=" + scale + ", causal=" + causal + "]";
    }
}
