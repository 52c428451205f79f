package io.jgrad.tensor.spi;

import io.jgrad.tensor.NDArray;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The table a multi-tensor kernel ({@code adam_multi}, {@code sgd_multi} of optim.cl) reads: one launch updates
 * many parameters, as PyTorch's {@code multi_tensor_apply}. Each block of {@link #BLOCK} threads updates one
 * chunk of {@link #CHUNK} elements of one tensor; the chunks of all tensors are numbered in table order.
 * Per tensor, {@code roles + 2} longs: the address of each of its arrays (param, grad, state...), its element
 * count, the number of its first chunk. What an address is belongs to the backend (a device address on CUDA).
 *
 * @param records the table, {@link #width()} longs per tensor
 * @param tensors how many tensors (records)
 * @param roles   arrays per tensor
 * @param chunk   elements per chunk (the kernel's {@code chunkSize})
 * @param chunks  chunks of all tensors together: the launch's block count
 */
public record MultiTensorTable(long[] records, int tensors, int roles, int chunk, int chunks) {

    /** Elements per chunk (one block's work): 16 per thread, so that small tensors take few idle blocks. */
    public static final int CHUNK = 4096;
    /** Threads per block. */
    public static final int BLOCK = 256;

    /**
     * The table of {@code arrays.get(role).get(tensor)} (every role's list of one length, the parameter first),
     * each array's address given by {@code address}.
     */
    public static MultiTensorTable of(List<List<NDArray>> arrays, ToLongFunction<NDArray> address) {
        return of(arrays, address, CHUNK);
    }

    /** {@link #of(List, ToLongFunction)} with chunks of {@code chunk} elements (tests use small ones). */
    public static MultiTensorTable of(List<List<NDArray>> arrays, ToLongFunction<NDArray> address, int chunk) {
        int roles = arrays.size(), tensors = arrays.get(0).size(), width = roles + 2;
        long[] records = new long[tensors * width];
        long chunks = 0;
        for (int t = 0; t < tensors; t++) {
            int n = arrays.get(0).get(t).numel();
            for (int r = 0; r < roles; r++) records[t * width + r] = address.applyAsLong(arrays.get(r).get(t));
            records[t * width + roles] = n;
            records[t * width + roles + 1] = chunks;
            chunks += (n + chunk - 1) / chunk;
        }
        if (chunks > Integer.MAX_VALUE) throw new IllegalArgumentException("multi-tensor update: " + chunks + " chunks exceed one launch");
        return new MultiTensorTable(records, tensors, roles, chunk, (int) chunks);
    }

    /** Longs per tensor. */
    public int width() {
        return roles + 2;
    }
}
