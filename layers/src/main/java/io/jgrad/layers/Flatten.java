package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

import java.util.Arrays;

/**
 * Flattens dims {@code startDim..endDim} (inclusive, negative counts from the end) into one, as
 * {@code torch.nn.Flatten}; the default, 1..-1, turns {@code [N, C, H, W]} into {@code [N, C·H·W]}.
 */
public final class Flatten extends Module {

    private final int startDim;
    private final int endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor input) {
        int rank = input.rank();
        int start = startDim < 0 ? startDim + rank : startDim, end = endDim < 0 ? endDim + rank : endDim;
        if (start < 0 || end >= rank || start > end) {
            throw inputError(input, "with dims " + startDim + ".." + endDim + " in range, start before end");
        }
        int[] shape = new int[rank - (end - start)];
        System.arraycopy(input.shape(), 0, shape, 0, start);
        shape[start] = Arrays.stream(input.shape(), start, end + 1).reduce(1, (a, b) -> a * b);
        System.arraycopy(input.shape(), end + 1, shape, start + 1, rank - end - 1);
        return input.reshape(shape);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
