package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.AttentionGeometry;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.SgdStep;
import io.jgrad.tensor.spi.UnaryOp;

/**
 * The CPU backend built on the Vector API ({@code jdk.incubator.vector}), multi-threaded over a
 * {@link KernelPool}. It is the {@link ReferenceBackend} with fast paths: the methods overridden here are
 * exactly what it speeds up (float32 matrix products, convolution, pooling, the fused optimiser updates, and
 * the contiguous or simply broadcast cases of the elementwise ops, reductions, softmax and layer normalisation), each falling back
 * to {@code super} where its fast path does not apply. Everything not overridden (memory, {@code where},
 * {@code argReduce}, gather/scatter and index ops) is the reference kernel itself. Results match the
 * reference up to float32 rounding.
 *
 * <p>Only {@link VectorProvider#create()} loads this class, after checking that the module is present and
 * that C2 will compile it. {@code -Djgrad.backend=reference} turns it off for comparison.
 */
public final class VectorBackend extends ReferenceBackend {

    public static final String NAME = "vector";

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

    /** Threads a kernel call may use, the caller's included. */
    public int threads() {
        return pool.threads();
    }

    /** The vector shape the kernels are compiled for, e.g. {@code Species[float, 16, S_512_BIT]}. */
    public static String species() {
        return VectorGemm.SPECIES.toString();
    }

    /** Width in bits of the preferred float vector, the one the kernels use (512 with AVX-512, 256 with AVX2). */
    static int preferredFloatBits() {
        return VectorGemm.SPECIES.vectorBitSize();
    }

    private static boolean allFloat32(NDArray... arrays) {
        for (NDArray x : arrays) {
            if (x.dtype() != DType.FLOAT32) return false;
        }
        return true;
    }

    /** Whether every array that is there (optional ones may be null) is float32. */
    private static boolean allFloat32OrNull(NDArray... arrays) {
        for (NDArray x : arrays) {
            if (x != null && x.dtype() != DType.FLOAT32) return false;
        }
        return true;
    }

    // ---- elementwise ----------------------------------------------------------------------------

    @Override
    public void copy(NDArray src, NDArray dst) {
        if (allFloat32(src, dst)) VectorElementwise.copy(src, dst, pool);
        else super.copy(src, dst);
    }

    @Override
    public void fill(NDArray dst, double value) {
        if (allFloat32(dst)) VectorElementwise.fill(dst, value, pool);
        else super.fill(dst, value);
    }

    @Override
    public void unary(UnaryOp op, NDArray x, NDArray out, double alpha, double beta) {
        if (allFloat32(x, out)) VectorElementwise.unary(op, x, out, alpha, beta, pool);
        else super.unary(op, x, out, alpha, beta);
    }

    @Override
    public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        if (allFloat32(a, b, out)) VectorElementwise.binary(op, a, b, out, pool);
        else super.binary(op, a, b, out);
    }

    // ---- reductions -----------------------------------------------------------------------------

    /** The vector kernel handles the layouts it recognises and returns false for the rest. */
    @Override
    public void reduce(ReduceOp op, NDArray x, NDArray out) {
        if (!allFloat32(x, out) || !VectorReductions.reduce(op, x, out, pool)) super.reduce(op, x, out);
    }

    // ---- linear algebra -------------------------------------------------------------------------

    @Override
    public void matmul(NDArray a, NDArray b, NDArray out) {
        if (allFloat32(a, b, out)) VectorGemm.matmul(a, b, out, pool);
        else super.matmul(a, b, out);
    }

    // ---- softmax --------------------------------------------------------------------------------

    @Override
    public void softmax(NDArray x, int dim, boolean log, NDArray out) {
        if (!allFloat32(x, out) || !VectorReductions.softmax(x, dim, log, out, pool)) super.softmax(x, dim, log, out);
    }

    // ---- normalisation --------------------------------------------------------------------------

    @Override
    public void layerNorm(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, NDArray mean, NDArray rstd) {
        boolean float32 = allFloat32(x, out) && allFloat32OrNull(weight, bias, mean, rstd);
        if (!float32 || !VectorNormalization.layerNorm(x, weight, bias, eps, out, mean, rstd, pool)) super.layerNorm(x, weight, bias, eps, out, mean, rstd);
    }

    @Override
    public void layerNormBackward(NDArray gradOut, NDArray x, NDArray mean, NDArray rstd, NDArray weight,
                                  NDArray gradInput, NDArray gradWeight, NDArray gradBias) {
        boolean float32 = allFloat32(gradOut, x, mean, rstd) && allFloat32OrNull(weight, gradInput, gradWeight, gradBias);
        if (!float32 || !VectorNormalization.layerNormBackward(gradOut, x, mean, rstd, weight, gradInput, gradWeight, gradBias, pool)) {
            super.layerNormBackward(gradOut, x, mean, rstd, weight, gradInput, gradWeight, gradBias);
        }
    }

    // ---- attention ------------------------------------------------------------------------------

    @Override
    public void crossEntropy(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray loss, NDArray rowStats) {
        if (VectorCrossEntropy.applies(x, weight, loss, rowStats)) VectorCrossEntropy.forward(x, target, weight, p, loss, rowStats, pool);
        else super.crossEntropy(x, target, weight, p, loss, rowStats);
    }

    @Override
    public void crossEntropyBackward(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray rowStats,
                                     NDArray gradLoss, NDArray divisor, NDArray gradX) {
        if (VectorCrossEntropy.applies(x, weight, rowStats, gradLoss, divisor, gradX) && gradX.stride(1) == 1) {
            VectorCrossEntropy.backward(x, target, weight, p, rowStats, gradLoss, divisor, gradX, pool);
        } else {
            super.crossEntropyBackward(x, target, weight, p, rowStats, gradLoss, divisor, gradX);
        }
    }

    @Override
    public void attention(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray logSumExp) {
        if (allFloat32(q, k, v, out, logSumExp) && (mask == null || allFloat32(mask))) VectorAttention.forward(q, k, v, mask, g, out, logSumExp, pool);
        else super.attention(q, k, v, mask, g, out, logSumExp);
    }

    @Override
    public void attentionBackward(NDArray q, NDArray k, NDArray v, NDArray mask, AttentionGeometry g, NDArray out, NDArray logSumExp,
                                  NDArray gradOut, NDArray gradQ, NDArray gradK, NDArray gradV) {
        if (allFloat32(q, k, v, out, logSumExp, gradOut) && (mask == null || allFloat32(mask))) {
            VectorAttention.backward(q, k, v, mask, g, out, logSumExp, gradOut, gradQ, gradK, gradV, pool);
        } else {
            super.attentionBackward(q, k, v, mask, g, out, logSumExp, gradOut, gradQ, gradK, gradV);
        }
    }

    // ---- convolution, pooling -------------------------------------------------------------------

    @Override
    public void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, NDArray out) {
        if (convFloat32(input, weight, bias, out)) VectorConvolution.forward(input, weight, bias, g, false, out, pool);
        else super.conv2d(input, weight, bias, g, out);
    }

    /**
     * A ReLU is applied in the GEMM's write-back (no second pass over the output); any other activation takes
     * the composed default, {@link #conv2d(NDArray, NDArray, NDArray, ConvGeometry, NDArray)} then
     * {@link #unary}, each with its own fast path.
     */
    @Override
    public void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, UnaryOp activation, NDArray out) {
        if (activation == UnaryOp.RELU && convFloat32(input, weight, bias, out)) {
            VectorConvolution.forward(input, weight, bias, g, true, out, pool);
        } else {
            super.conv2d(input, weight, bias, g, activation, out);
        }
    }

    private static boolean convFloat32(NDArray input, NDArray weight, NDArray bias, NDArray out) {
        return allFloat32(input, weight, out) && (bias == null || allFloat32(bias));
    }

    @Override
    public void conv2dBackwardInput(NDArray gradOut, NDArray weight, ConvGeometry g, NDArray gradInput) {
        if (allFloat32(gradOut, weight, gradInput)) VectorConvolution.backwardInput(gradOut, weight, g, gradInput, pool);
        else super.conv2dBackwardInput(gradOut, weight, g, gradInput);
    }

    @Override
    public void conv2dBackwardWeight(NDArray input, NDArray gradOut, ConvGeometry g, NDArray gradWeight) {
        if (allFloat32(input, gradOut, gradWeight)) VectorConvolution.backwardWeight(input, gradOut, g, gradWeight, pool);
        else super.conv2dBackwardWeight(input, gradOut, g, gradWeight);
    }

    @Override
    public void maxPool2d(NDArray input, PoolGeometry g, NDArray out, NDArray indices) {
        if (allFloat32(input, out)) VectorPooling.maxForward(input, g, out, indices, pool);
        else super.maxPool2d(input, g, out, indices);
    }

    @Override
    public void maxPool2dBackward(NDArray gradOut, NDArray indices, NDArray gradInput) {
        if (allFloat32(gradOut, gradInput)) VectorPooling.maxBackward(gradOut, indices, gradInput, pool);
        else super.maxPool2dBackward(gradOut, indices, gradInput);
    }

    @Override
    public void avgPool2d(NDArray input, PoolGeometry g, NDArray out) {
        if (allFloat32(input, out)) VectorPooling.avgForward(input, g, out, pool);
        else super.avgPool2d(input, g, out);
    }

    @Override
    public void avgPool2dBackward(NDArray gradOut, PoolGeometry g, NDArray gradInput) {
        if (allFloat32(gradOut, gradInput)) VectorPooling.avgBackward(gradOut, g, gradInput, pool);
        else super.avgPool2dBackward(gradOut, g, gradInput);
    }

    // ---- recurrent cells: one pass each where every row is contiguous, else the reference ---------

    @Override
    public void lstmCell(NDArray xGates, NDArray hGates, NDArray c, NDArray hOut, NDArray cOut, NDArray gates) {
        if (VectorRecurrent.applies(xGates, hGates, c, hOut, cOut, gates)) VectorRecurrent.lstmCell(xGates, hGates, c, hOut, cOut, gates, pool);
        else super.lstmCell(xGates, hGates, c, hOut, cOut, gates);
    }

    @Override
    public void lstmCellBackward(NDArray gradH, NDArray gradC, NDArray c, NDArray cOut, NDArray gates, NDArray gradGates, NDArray gradCPrev) {
        if (VectorRecurrent.applies(gradH, gradC, c, cOut, gates, gradGates, gradCPrev)) {
            VectorRecurrent.lstmCellBackward(gradH, gradC, c, cOut, gates, gradGates, gradCPrev, pool);
        } else {
            super.lstmCellBackward(gradH, gradC, c, cOut, gates, gradGates, gradCPrev);
        }
    }

    @Override
    public void gruCell(NDArray xGates, NDArray hGates, NDArray h, NDArray hOut, NDArray saved) {
        if (VectorRecurrent.applies(xGates, hGates, h, hOut, saved)) VectorRecurrent.gruCell(xGates, hGates, h, hOut, saved, pool);
        else super.gruCell(xGates, hGates, h, hOut, saved);
    }

    @Override
    public void gruCellBackward(NDArray gradH, NDArray h, NDArray saved, NDArray gradXGates, NDArray gradHGates, NDArray gradHPrev) {
        if (VectorRecurrent.applies(gradH, h, saved, gradXGates, gradHGates, gradHPrev)) {
            VectorRecurrent.gruCellBackward(gradH, h, saved, gradXGates, gradHGates, gradHPrev, pool);
        } else {
            super.gruCellBackward(gradH, h, saved, gradXGates, gradHGates, gradHPrev);
        }
    }

    // ---- fused optimiser updates (all arrays share the parameter's dtype; float64 runs the reference) --

    @Override
    public void adamStep(AdamStep step, NDArray param, NDArray grad, NDArray m, NDArray v, NDArray vMax) {
        if (allFloat32(param)) VectorOptimizerSteps.adam(step, param, grad, m, v, vMax, pool);
        else super.adamStep(step, param, grad, m, v, vMax);
    }

    @Override
    public void sgdStep(SgdStep step, NDArray param, NDArray grad, NDArray momentumBuffer) {
        if (allFloat32(param)) VectorOptimizerSteps.sgd(step, param, grad, momentumBuffer, pool);
        else super.sgdStep(step, param, grad, momentumBuffer);
    }
}
