package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.KernelDefines;
import io.jgrad.tensor.spi.KernelLayout;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.SgdStep;
import io.jgrad.tensor.spi.Storage;
import io.jgrad.tensor.spi.UnaryOp;

import java.util.Arrays;

/**
 * The kernels of one CUDA device. The structure of the OpenCL backend: each op is one launch on the runtime's
 * one stream, of a kernel from the portable sources (compiled to PTX per dtype, {@link CudaModules}) given
 * every array as a pointer plus a {@link KernelLayout} struct, so views of any strides run without copies.
 * Nothing here waits for the device except {@link #toHost}. GEMM is {@link CudaGemm}; convolution is im2col +
 * GEMM ({@link CudaConvolution}).
 */
public final class CudaBackend implements Backend {

    public static final String NAME = "cuda";

    private final CudaRuntime rt;

    public CudaBackend(CudaRuntime rt) {
        this.rt = rt;
    }

    public CudaRuntime runtime() {
        return rt;
    }

    /** TF32 tensor cores for float32 matmul and convolution (PyTorch's allow_tf32); off unless {@code -Djgrad.cuda.tf32=true}. */
    public static void setAllowTf32(boolean allow) {
        CudaGemm.allowTf32 = allow;
    }

    public static boolean allowTf32() {
        return CudaGemm.allowTf32;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Device device() {
        return rt.jgradDevice();
    }

    // ---- memory ---------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, int size) {
        return rt.allocate(dtype, size);
    }

    @Override
    public Storage fromHost(HostStorage host) {
        return rt.upload(host);
    }

    @Override
    public HostStorage toHost(Storage storage) {
        return rt.download((CudaStorage) storage);
    }

    private static CudaStorage s(NDArray a) {
        return CudaStorage.of(a);
    }

    private static String module(String family, DType dtype) {
        return CudaModules.name(family, dtype);
    }

    private static Object scalar(DType dtype, double value) {
        return KernelDefines.scalar(dtype, value);
    }

    // ---- elementwise ----------------------------------------------------------------------------

    @Override
    public void copy(NDArray src, NDArray dst) {
        int[][] l = KernelLayout.coalesce("copy", dst.shape(), src, dst);
        rt.launch(CudaKernel.COPY, CudaModules.copyName(src.dtype(), dst.dtype()), dst.numel(), s(src), s(dst), l[0], l[1], dst.numel());
    }

    @Override
    public void fill(NDArray dst, double value) {
        int[][] l = KernelLayout.coalesce("fill", dst.shape(), dst);
        rt.launch(CudaKernel.FILL, module("elementwise", dst.dtype()), dst.numel(), s(dst), l[0], dst.numel(), scalar(dst.dtype(), value));
    }

    @Override
    public void unary(UnaryOp op, NDArray x, NDArray out, double alpha, double beta) {
        int[][] l = KernelLayout.coalesce("unary " + op, out.shape(), x, out);
        rt.launch(CudaKernel.UNARY, module("elementwise", out.dtype()), out.numel(), s(x), s(out), l[0], l[1],
                out.numel(), op.ordinal(), scalar(out.dtype(), alpha), scalar(out.dtype(), beta));
    }

    @Override
    public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        int[][] l = KernelLayout.coalesce("binary " + op, out.shape(), a, b, out);
        rt.launch(CudaKernel.BINARY, module("elementwise", out.dtype()), out.numel(), s(a), s(b), s(out),
                l[0], l[1], l[2], out.numel(), op.ordinal());
    }

    /**
     * The PTX has where_select for a condition of the element dtype only (one module per dtype instead of nine);
     * a condition of another dtype is first turned into the exact 0/1 mask {@code cond != 0} in its own dtype and
     * converted (0 and 1 convert exactly), then selected on.
     */
    @Override
    public void where(NDArray cond, NDArray a, NDArray b, NDArray out) {
        NDArray c = cond;
        if (cond.dtype() != out.dtype()) {
            NDArray zero = NDArray.zeros(cond.dtype(), cond.device(), cond.shape());
            NDArray mask = NDArray.zeros(cond.dtype(), cond.device(), cond.shape());
            binary(BinaryOp.NE, cond, zero, mask);
            c = NDArray.zeros(out.dtype(), out.device(), cond.shape());
            copy(mask, c);
        }
        int[][] l = KernelLayout.coalesce("where", out.shape(), c, a, b, out);
        rt.launch(CudaKernel.WHERE, module("elementwise", out.dtype()), out.numel(), s(c), s(a), s(b), s(out), l[0], l[1], l[2], l[3], out.numel());
    }

    // ---- reductions -----------------------------------------------------------------------------

    /** The OpenCL backend's decomposition (see OpenClBackend.reduce): outer layout per output, inner layout of the reduced dims. */
    @Override
    public void reduce(ReduceOp op, NDArray x, NDArray out) {
        int nOut = out.numel();
        if (nOut == 0) return;
        int[] xShape = x.shape(), outShape = out.shape(), innerShape = xShape.clone();
        for (int d = 0; d < xShape.length; d++) if (outShape[d] == xShape[d]) innerShape[d] = 1;
        int nInner = x.numel() / nOut;
        if (nInner == 0) {
            fill(out, op == ReduceOp.MEAN ? Double.NaN : 0.0); // an empty sum is 0 and its mean 0/0
            return;
        }
        NDArray outerView = NDArray.view(x.storage(), outShape, x.strides(), x.offset());
        NDArray innerView = NDArray.view(x.storage(), innerShape, x.strides(), 0);
        int[][] outer = KernelLayout.coalesce("reduce", outShape, outerView, out);
        int[] inner = KernelLayout.coalesce("reduce", innerShape, innerView)[0];
        Object count = scalar(x.dtype(), nInner);
        String module = module("reduce", x.dtype());
        if (nInner >= KernelDefines.REDUCE_GROUP) {
            rt.launch(CudaKernel.REDUCE_GROUP, module, new int[] {nOut, 1, 1}, new int[] {KernelDefines.REDUCE_GROUP, 1, 1},
                    s(x), s(out), outer[0], inner, outer[1], nOut, nInner, op.ordinal(), count);
        } else {
            rt.launch(CudaKernel.REDUCE_SERIAL, module, nOut, s(x), s(out), outer[0], inner, outer[1], nOut, nInner, op.ordinal(), count);
        }
    }

    @Override
    public void argReduce(boolean max, NDArray x, int dim, NDArray out) {
        int len = x.rank() == 0 ? 1 : x.shape(dim);
        int stride = x.rank() == 0 ? 0 : x.stride(dim);
        NDArray starts = NDArray.view(x.storage(), out.shape(), x.strides(), x.offset());
        int[][] l = KernelLayout.coalesce("argReduce", out.shape(), starts, out);
        rt.launch(CudaKernel.ARG_REDUCE, module("reduce", x.dtype()), out.numel(), s(x), s(out), l[0], l[1], out.numel(), len, stride, max ? 1 : 0);
    }

    // ---- linear algebra, softmax ----------------------------------------------------------------

    /**
     * Batched product through {@link CudaGemm}, operands by their strides; an operand whose batch dims do not
     * step by one stride is copied contiguous first (an output of that kind is computed aside and copied back).
     */
    @Override
    public void matmul(NDArray a, NDArray b, NDArray out) {
        int rank = out.rank();
        int m = out.shape(rank - 2), n = out.shape(rank - 1), k = a.shape(rank - 1);
        int[] batch = Arrays.copyOf(out.shape(), rank - 2);
        int batches = Shapes.numel(batch);
        if (batches == 0 || m == 0 || n == 0) return;
        if (KernelLayout.batchStride(a, batch) == null) a = a.contiguous();
        if (KernelLayout.batchStride(b, batch) == null) b = b.contiguous();
        NDArray target = KernelLayout.batchStride(out, batch) == null ? NDArray.zeros(out.dtype(), out.device(), out.shape()) : out;
        CudaGemm.gemm(rt, out.dtype(), m, n, k, batches, 1.0, operand(a, batch), operand(b, batch), 0.0, operand(target, batch));
        if (target != out) out.assign(target);
    }

    private static CudaGemm.Operand operand(NDArray x, int[] batch) {
        int rank = x.rank();
        return new CudaGemm.Operand(s(x).pointer(), x.offset(), x.stride(rank - 2), x.stride(rank - 1), KernelLayout.batchStride(x, batch));
    }

    @Override
    public void softmax(NDArray x, int dim, boolean log, NDArray out) {
        if (x.rank() == 0) {
            fill(out, log ? 0.0 : 1.0);
            return;
        }
        int len = x.shape(dim);
        if (len == 0) return;
        int[] rowShape = x.shape();
        rowShape[dim] = 1;
        NDArray xRows = NDArray.view(x.storage(), rowShape, x.strides(), x.offset());
        NDArray outRows = NDArray.view(out.storage(), rowShape, out.strides(), out.offset());
        int[][] l = KernelLayout.coalesce("softmax", rowShape, xRows, outRows);
        int rows = Shapes.numel(rowShape);
        rt.launch(CudaKernel.SOFTMAX_ROWS, module("reduce", x.dtype()), rows, s(x), s(out), l[0], l[1],
                rows, len, x.stride(dim), out.stride(dim), log ? 1 : 0);
    }

    // ---- convolution, pooling -------------------------------------------------------------------

    @Override
    public void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, NDArray out) {
        CudaConvolution.forward(rt, input, weight, bias, g, out);
    }

    @Override
    public void conv2dBackwardInput(NDArray gradOut, NDArray weight, ConvGeometry g, NDArray gradInput) {
        CudaConvolution.backwardInput(rt, gradOut, weight, g, gradInput);
    }

    @Override
    public void conv2dBackwardWeight(NDArray input, NDArray gradOut, ConvGeometry g, NDArray gradWeight) {
        CudaConvolution.backwardWeight(rt, input, gradOut, g, gradWeight);
    }

    /** The {@code PoolGeometry} struct of pool.cl, field by field. */
    private static int[] poolStruct(PoolGeometry p) {
        return new int[] {p.batch(), p.channels(), p.height(), p.width(), p.outH(), p.outW(),
                p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW()};
    }

    @Override
    public void maxPool2d(NDArray input, PoolGeometry g, NDArray out, NDArray indices) {
        rt.launch(CudaKernel.MAX_POOL_FORWARD, module("pool", input.dtype()), out.numel(), s(input), s(out), s(indices),
                KernelLayout.of(input), KernelLayout.of(out), KernelLayout.of(indices), poolStruct(g));
    }

    /** One thread per (n, c) plane; the kernel reads only the sizes of the struct (each window's choice is in the indices). */
    @Override
    public void maxPool2dBackward(NDArray gradOut, NDArray indices, NDArray gradInput) {
        int[] in = gradInput.shape(), o = gradOut.shape();
        int[] sizes = {in[0], in[1], in[2], in[3], o[2], o[3], 1, 1, 1, 1, 0, 0};
        rt.launch(CudaKernel.MAX_POOL_BACKWARD, module("pool", gradOut.dtype()), (long) in[0] * in[1], s(gradOut), s(indices), s(gradInput),
                KernelLayout.of(gradOut), KernelLayout.of(indices), KernelLayout.of(gradInput), sizes);
    }

    @Override
    public void avgPool2d(NDArray input, PoolGeometry g, NDArray out) {
        rt.launch(CudaKernel.AVG_POOL_FORWARD, module("pool", input.dtype()), out.numel(), s(input), s(out),
                KernelLayout.of(input), KernelLayout.of(out), poolStruct(g));
    }

    @Override
    public void avgPool2dBackward(NDArray gradOut, PoolGeometry g, NDArray gradInput) {
        rt.launch(CudaKernel.AVG_POOL_BACKWARD, module("pool", gradOut.dtype()), gradInput.numel(), s(gradOut), s(gradInput),
                KernelLayout.of(gradOut), KernelLayout.of(gradInput), poolStruct(g));
    }

    // ---- indexing -------------------------------------------------------------------------------

    @Override
    public void gather(NDArray x, int dim, NDArray index, NDArray out) {
        int[] strides = x.strides();
        int dimStride = x.rank() == 0 ? 0 : strides[dim], dimSize = x.rank() == 0 ? 1 : x.shape(dim);
        if (x.rank() > 0) strides[dim] = 0;
        // x "pinned" along dim: the index's shape, x's strides elsewhere; the index value supplies the dim.
        NDArray pinned = NDArray.view(x.storage(), index.shape(), strides, x.offset());
        int[][] l = KernelLayout.coalesce("gather", index.shape(), pinned, index, out);
        rt.launch(CudaKernel.GATHER, module("indexing", x.dtype()), out.numel(), s(x), s(index), s(out),
                l[0], l[1], l[2], out.numel(), dimStride, dimSize, rt.errors().buffer());
    }

    @Override
    public void scatterAdd(NDArray target, int dim, NDArray index, NDArray src) {
        rt.launch(CudaKernel.SCATTER_ADD, module("indexing", target.dtype()), target.numel(), s(target), s(index), s(src),
                KernelLayout.of(target), KernelLayout.of(index), KernelLayout.of(src), target.numel(), dim, rt.errors().buffer());
    }

    @Override
    public void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        if (x.rank() == 0) { // a 0-d array is its own only slice
            copy(x, out);
            return;
        }
        rt.launch(CudaKernel.INDEX_SELECT, module("indexing", x.dtype()), out.numel(), s(x), s(index), s(out),
                KernelLayout.struct("indexSelect", out.shape(), x.strides(), x.offset()), KernelLayout.of(out), out.numel(), dim,
                index.offset(), index.stride(0), x.shape(dim), rt.errors().buffer());
    }

    @Override
    public void indexAdd(NDArray target, int dim, NDArray index, NDArray src) {
        if (target.rank() == 0) { // the one index (0) adds the 0-d src to the 0-d target
            binary(BinaryOp.ADD, target, src, target);
            return;
        }
        rt.launch(CudaKernel.INDEX_ADD, module("indexing", target.dtype()), target.numel(), s(target), s(index), s(src),
                KernelLayout.of(target), KernelLayout.of(src), target.numel(), dim, index.offset(), index.stride(0), index.numel(),
                rt.errors().buffer());
    }

    // ---- fused optimiser updates ----------------------------------------------------------------

    /** Scalars rounded to the parameter dtype first, as {@link AdamStep} specifies. */
    @Override
    public void adamStep(AdamStep st, NDArray param, NDArray grad, NDArray m, NDArray v, NDArray vMax) {
        DType t = param.dtype();
        NDArray vm = vMax != null ? vMax : v;
        rt.launch(CudaKernel.ADAM_STEP, module("optim", t), param.numel(), s(param), s(grad), s(m), s(v), s(vm),
                param.offset(), grad.offset(), m.offset(), v.offset(), vm.offset(), param.numel(),
                scalar(t, st.decay()), scalar(t, st.beta1()), scalar(t, st.oneMinusBeta1()), scalar(t, st.beta2()), scalar(t, st.oneMinusBeta2()),
                scalar(t, st.stepSize()), scalar(t, st.sqrtBiasCorrection2()), scalar(t, st.eps()),
                st.maximize() ? 1 : 0, st.decoupled() ? 1 : 0, st.l2Penalty() ? 1 : 0, vMax != null && st.amsgrad() ? 1 : 0);
    }

    @Override
    public void sgdStep(SgdStep st, NDArray param, NDArray grad, NDArray momentumBuffer) {
        DType t = param.dtype();
        NDArray b = momentumBuffer != null ? momentumBuffer : param;
        rt.launch(CudaKernel.SGD_STEP, module("optim", t), param.numel(), s(param), s(grad), s(b), param.offset(), grad.offset(), b.offset(),
                param.numel(), scalar(t, st.weightDecay()), scalar(t, st.lr()), scalar(t, st.momentum()), scalar(t, 1 - st.dampening()),
                st.maximize() ? 1 : 0, st.weightDecay() != 0 ? 1 : 0, st.momentum() != 0 ? 1 : 0, st.firstStep() ? 1 : 0, st.nesterov() ? 1 : 0);
    }

    @Override
    public String toString() {
        return NAME + " (" + rt.name() + ", sm_" + rt.computeCapability() + ", PTX " + rt.arch() + ")";
    }
}
