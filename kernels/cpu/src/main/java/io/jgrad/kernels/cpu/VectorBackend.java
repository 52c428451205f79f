package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.SgdStep;
import io.jgrad.tensor.spi.Storage;
import io.jgrad.tensor.spi.UnaryOp;

/**
 * The CPU backend built on the Vector API ({@code jdk.incubator.vector}), multi-threaded over a
 * {@link KernelPool}. It vectorises the hot paths for float32 (matrix products, convolution, pooling, the fused
 * optimiser updates, and the contiguous or simply broadcast cases of the elementwise ops, reductions and
 * softmax) and hands everything else to the {@link ReferenceBackend}, whose semantics it reproduces up to
 * float32 rounding.
 *
 * <p>Only {@link VectorProvider#create()} loads this class, after checking that the module is present.
 * {@code -Djgrad.backend=reference} turns it off for comparison.
 */
public final class VectorBackend implements Backend {

    public static final String NAME = "vector";

    private final ReferenceBackend reference = new ReferenceBackend();
    private final KernelPool pool;

    /** Runs on the shared pool ({@code -Djgrad.threads=N}, default: one thread per processor). */
    public VectorBackend() {
        this(KernelPool.shared());
    }

    /** Runs on its own pool of {@code threads} threads (for tests of determinism across thread counts). */
    VectorBackend(int threads) {
        this(new KernelPool(threads));
    }

    /**
     * A vector backend with its own pool of {@code threads} threads (daemons, kept for the life of the JVM),
     * for comparisons across thread counts in one process, e.g. the bench command. Needs the module, like
     * {@link VectorProvider#create()}.
     */
    public static VectorBackend withThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("vector backend: threads must be >= 1, got " + threads);
        return new VectorBackend(threads);
    }

    private VectorBackend(KernelPool pool) {
        this.pool = pool;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    /** Threads a kernel call may use, the caller's included. */
    public int threads() {
        return pool.threads();
    }

    /** The vector shape the kernels are compiled for, e.g. {@code Species[float, 16, S_512_BIT]}. */
    public static String species() {
        return VectorGemm.SPECIES.toString();
    }

    // ---- memory ---------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, int size) {
        return reference.allocate(dtype, size);
    }

    @Override
    public Storage fromHost(HostStorage host) {
        return reference.fromHost(host);
    }

    @Override
    public HostStorage toHost(Storage storage) {
        return reference.toHost(storage);
    }

    private static boolean allFloat32(NDArray... arrays) {
        for (NDArray x : arrays) {
            if (x.dtype() != DType.FLOAT32) return false;
        }
        return true;
    }

    // ---- elementwise ----------------------------------------------------------------------------

    @Override
    public void copy(NDArray src, NDArray dst) {
        if (allFloat32(src, dst)) VectorElementwise.copy(src, dst, pool);
        else reference.copy(src, dst);
    }

    @Override
    public void fill(NDArray dst, double value) {
        if (allFloat32(dst)) VectorElementwise.fill(dst, value, pool);
        else reference.fill(dst, value);
    }

    @Override
    public void unary(UnaryOp op, NDArray x, NDArray out, double alpha, double beta) {
        if (allFloat32(x, out)) VectorElementwise.unary(op, x, out, alpha, beta, pool);
        else reference.unary(op, x, out, alpha, beta);
    }

    @Override
    public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        if (allFloat32(a, b, out)) VectorElementwise.binary(op, a, b, out, pool);
        else reference.binary(op, a, b, out);
    }

    @Override
    public void where(NDArray cond, NDArray a, NDArray b, NDArray out) {
        reference.where(cond, a, b, out);
    }

    // ---- reductions -----------------------------------------------------------------------------

    @Override
    public void reduce(ReduceOp op, NDArray x, NDArray out) {
        if (!allFloat32(x, out) || !VectorReductions.reduce(op, x, out, pool)) reference.reduce(op, x, out);
    }

    @Override
    public void argReduce(boolean max, NDArray x, int dim, NDArray out) {
        reference.argReduce(max, x, dim, out);
    }

    // ---- linear algebra -------------------------------------------------------------------------

    @Override
    public void matmul(NDArray a, NDArray b, NDArray out) {
        if (allFloat32(a, b, out)) VectorGemm.matmul(a, b, out, pool);
        else reference.matmul(a, b, out);
    }

    // ---- softmax --------------------------------------------------------------------------------

    @Override
    public void softmax(NDArray x, int dim, boolean log, NDArray out) {
        if (!allFloat32(x, out) || !VectorReductions.softmax(x, dim, log, out, pool)) reference.softmax(x, dim, log, out);
    }

    // ---- convolution, pooling, indexing ---------------------------------------------------------

    @Override
    public void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, NDArray out) {
        conv2d(input, weight, bias, g, null, out);
    }

    /** A ReLU is applied in the GEMM's write-back (no second pass over the output); other activations are composed. */
    @Override
    public void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, UnaryOp activation, NDArray out) {
        boolean vector = allFloat32(input, weight, out) && (bias == null || allFloat32(bias));
        if (vector && (activation == null || activation == UnaryOp.RELU)) {
            VectorConvolution.forward(input, weight, bias, g, activation == UnaryOp.RELU, out, pool);
        } else if (vector) {
            Backend.super.conv2d(input, weight, bias, g, activation, out);
        } else {
            reference.conv2d(input, weight, bias, g, activation, out);
        }
    }

    @Override
    public void conv2dBackwardInput(NDArray gradOut, NDArray weight, ConvGeometry g, NDArray gradInput) {
        if (allFloat32(gradOut, weight, gradInput)) VectorConvolution.backwardInput(gradOut, weight, g, gradInput, pool);
        else reference.conv2dBackwardInput(gradOut, weight, g, gradInput);
    }

    @Override
    public void conv2dBackwardWeight(NDArray input, NDArray gradOut, ConvGeometry g, NDArray gradWeight) {
        if (allFloat32(input, gradOut, gradWeight)) VectorConvolution.backwardWeight(input, gradOut, g, gradWeight, pool);
        else reference.conv2dBackwardWeight(input, gradOut, g, gradWeight);
    }

    @Override
    public void maxPool2d(NDArray input, PoolGeometry g, NDArray out, NDArray indices) {
        if (allFloat32(input, out)) VectorPooling.maxForward(input, g, out, indices, pool);
        else reference.maxPool2d(input, g, out, indices);
    }

    @Override
    public void maxPool2dBackward(NDArray gradOut, NDArray indices, NDArray gradInput) {
        if (allFloat32(gradOut, gradInput)) VectorPooling.maxBackward(gradOut, indices, gradInput, pool);
        else reference.maxPool2dBackward(gradOut, indices, gradInput);
    }

    @Override
    public void avgPool2d(NDArray input, PoolGeometry g, NDArray out) {
        if (allFloat32(input, out)) VectorPooling.avgForward(input, g, out, pool);
        else reference.avgPool2d(input, g, out);
    }

    @Override
    public void avgPool2dBackward(NDArray gradOut, PoolGeometry g, NDArray gradInput) {
        if (allFloat32(gradOut, gradInput)) VectorPooling.avgBackward(gradOut, g, gradInput, pool);
        else reference.avgPool2dBackward(gradOut, g, gradInput);
    }

    @Override
    public void gather(NDArray x, int dim, NDArray index, NDArray out) {
        reference.gather(x, dim, index, out);
    }

    @Override
    public void scatterAdd(NDArray target, int dim, NDArray index, NDArray src) {
        reference.scatterAdd(target, dim, index, src);
    }

    @Override
    public void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        reference.indexSelect(x, dim, index, out);
    }

    @Override
    public void indexAdd(NDArray target, int dim, NDArray index, NDArray src) {
        reference.indexAdd(target, dim, index, src);
    }

    // ---- fused optimiser updates (all arrays share the parameter's dtype; float64 runs the reference) --

    @Override
    public void adamStep(AdamStep step, NDArray param, NDArray grad, NDArray m, NDArray v, NDArray vMax) {
        if (allFloat32(param)) VectorOptimizerSteps.adam(step, param, grad, m, v, vMax, pool);
        else reference.adamStep(step, param, grad, m, v, vMax);
    }

    @Override
    public void sgdStep(SgdStep step, NDArray param, NDArray grad, NDArray momentumBuffer) {
        if (allFloat32(param)) VectorOptimizerSteps.sgd(step, param, grad, momentumBuffer, pool);
        else reference.sgdStep(step, param, grad, momentumBuffer);
    }
}
