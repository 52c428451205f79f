package io.jgrad.kernels.cuda;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.MemoryStats;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.KernelDefines;
import io.jgrad.tensor.spi.KernelLayout;
import io.jgrad.tensor.spi.KernelPlans;
import io.jgrad.tensor.spi.MultiTensorTable;
import io.jgrad.tensor.spi.MultiTensorTableCache;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.SgdStep;
import io.jgrad.tensor.spi.Storage;
import io.jgrad.tensor.spi.UnaryOp;

import jcuda.driver.CUdeviceptr;

import java.util.Arrays;
import java.util.List;

/**
 * The kernels of one CUDA device. The structure of the OpenCL backend: each op is one launch on the runtime's
 * one stream, of a kernel from the portable sources (compiled to PTX per dtype, {@link CudaModules}) given
 * every array as a pointer plus a {@link KernelLayout} struct, so views of any strides run without copies.
 * Nothing here waits for the device except {@link #toHost}. GEMM is {@link CudaGemm}; convolution is im2col +
 * GEMM ({@link CudaConvolution}).
 */
public final class CudaBackend implements Backend {

    public static final String NAME = "cuda";

    /** The base-pointer arguments of the multi-tensor kernels, unused under CUDA (the table holds addresses). */
    private static final CUdeviceptr UNUSED = new CUdeviceptr();

    private final CudaRuntime rt;
    private final MultiTensorTableCache<CudaStorage> tables;

    public CudaBackend(CudaRuntime rt) {
        this.rt = rt;
        this.tables = new MultiTensorTableCache<>(rt::upload, CudaStorage::close);
    }

    public CudaRuntime runtime() {
        return rt;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String deviceName() {
        return rt.name();
    }

    @Override
    public void synchronize() {
        rt.synchronize();
    }

    @Override
    public long kernelLaunches() {
        return rt.launches();
    }

    @Override
    public long hostReads() {
        return rt.reads();
    }

    @Override
    public MemoryStats memoryStats() {
        return rt.allocator().stats();
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

    /** The stream's commands captured into a CUDA graph: see {@link CudaRecording}. */
    @Override
    public io.jgrad.tensor.spi.CommandRecording beginRecording() {
        return rt.beginRecording();
    }

    @Override
    public Storage allocateUninitialized(DType dtype, int size) {
        return rt.allocateUninitialized(dtype, size);
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

    /** Long reductions get a block each, short ones a thread each ({@link KernelPlans#reduce}). */
    @Override
    public void reduce(ReduceOp op, NDArray x, NDArray out) {
        if (out.numel() == 0) return;
        KernelPlans.Reduce r = KernelPlans.reduce(x, out);
        if (r.nInner() == 0) {
            fill(out, op == ReduceOp.MEAN ? Double.NaN : 0.0); // an empty sum is 0 and its mean 0/0
            return;
        }
        Object count = scalar(x.dtype(), r.nInner());
        String module = module("reduce", x.dtype());
        if (r.grouped()) {
            rt.launch(CudaKernel.REDUCE_GROUP, module, new int[] {r.nOut(), 1, 1}, new int[] {KernelDefines.REDUCE_GROUP, 1, 1},
                    s(x), s(out), r.outer(), r.inner(), r.out(), r.nOut(), r.nInner(), op.ordinal(), count);
        } else {
            rt.launch(CudaKernel.REDUCE_SERIAL, module, r.nOut(), s(x), s(out), r.outer(), r.inner(), r.out(), r.nOut(), r.nInner(), op.ordinal(), count);
        }
    }

    @Override
    public void argReduce(boolean max, NDArray x, int dim, NDArray out) {
        KernelPlans.ArgReduce a = KernelPlans.argReduce(x, dim, out);
        rt.launch(CudaKernel.ARG_REDUCE, module("reduce", x.dtype()), a.n(), s(x), s(out), a.x(), a.out(), a.n(), a.len(), a.stride(), max ? 1 : 0);
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
        return new CudaGemm.Operand(s(x), x.offset(), x.stride(rank - 2), x.stride(rank - 1), KernelLayout.batchStride(x, batch));
    }

    @Override
    public void softmax(NDArray x, int dim, boolean log, NDArray out) {
        if (x.rank() == 0) {
            fill(out, log ? 0.0 : 1.0);
            return;
        }
        if (x.shape(dim) == 0) return;
        KernelPlans.Softmax sm = KernelPlans.softmax(x, dim, out);
        rt.launch(CudaKernel.SOFTMAX_ROWS, module("reduce", x.dtype()), sm.rows(), s(x), s(out), sm.x(), sm.out(),
                sm.rows(), sm.len(), sm.xStride(), sm.outStride(), log ? 1 : 0);
    }

    // ---- cross-entropy ----------------------------------------------------------------------------

    @Override
    public void crossEntropy(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray loss, NDArray rowStats) {
        int[][] l = KernelPlans.rowStarts("crossEntropy", target.shape(), x, target);
        rt.launch(CudaKernel.CROSS_ENTROPY_ROWS, module("reduce", x.dtype()), target.numel(), s(x), s(target), s(weight == null ? x : weight),
                s(loss), s(rowStats), l[0], l[1], KernelPlans.optionalLayout(weight), target.numel(), x.shape(x.rank() - 1), x.stride(x.rank() - 1),
                weight == null ? 0 : 1, (long) p.ignoreIndex(), scalar(x.dtype(), p.labelSmoothing()), rt.errors().buffer());
    }

    @Override
    public void crossEntropyTotal(NDArray loss, NDArray rowStats, boolean mean, NDArray total) {
        totalLaunch(loss.dtype(), KernelPlans.crossEntropyTotalArgs(null, null, null, null, mean, loss, rowStats, total, rt.errors().buffer(),
                CudaBackend::s, v -> scalar(loss.dtype(), v)));
    }

    /** A small batch's rows and total in one launch ({@link KernelPlans#crossEntropyInOneLaunch}); more, the two launches. */
    @Override
    public void crossEntropyReduced(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, boolean mean,
                                    NDArray loss, NDArray rowStats, NDArray total) {
        if (!KernelPlans.crossEntropyInOneLaunch(x, target)) {
            Backend.super.crossEntropyReduced(x, target, weight, p, mean, loss, rowStats, total);
            return;
        }
        totalLaunch(x.dtype(), KernelPlans.crossEntropyTotalArgs(x, target, weight, p, mean, loss, rowStats, total, rt.errors().buffer(),
                CudaBackend::s, v -> scalar(x.dtype(), v)));
    }

    /** One block of cross_entropy_total. */
    private void totalLaunch(DType dtype, Object[] args) {
        rt.launch(CudaKernel.CROSS_ENTROPY_TOTAL, module("reduce", dtype), new int[] {1, 1, 1}, new int[] {KernelDefines.REDUCE_GROUP, 1, 1}, args);
    }

    @Override
    public void crossEntropyBackward(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray rowStats,
                                     NDArray gradLoss, NDArray divisor, NDArray gradX) {
        NDArray d = divisor == null ? gradLoss : divisor;
        int[][] l = KernelPlans.rowStarts("crossEntropyBackward", target.shape(), x, target, gradLoss, d, gradX);
        rt.launch(CudaKernel.CROSS_ENTROPY_BACKWARD, module("reduce", x.dtype()), target.numel(), s(x), s(target), s(weight == null ? x : weight),
                s(rowStats), s(gradLoss), s(d), s(gradX), l[0], l[1], KernelPlans.optionalLayout(weight), l[2], l[3], l[4], target.numel(),
                x.shape(x.rank() - 1), x.stride(x.rank() - 1), gradX.stride(gradX.rank() - 1), weight == null ? 0 : 1, divisor == null ? 0 : 1,
                (long) p.ignoreIndex(), scalar(x.dtype(), p.labelSmoothing()));
    }

    /** With a bias, the bias and a ReLU in one launch after the product; anything else is the default composition. */
    @Override
    public void linear(NDArray x, NDArray weight, NDArray bias, UnaryOp activation, NDArray out) {
        if (bias == null || (activation != null && activation != UnaryOp.RELU)) {
            Backend.super.linear(x, weight, bias, activation, out);
            return;
        }
        matmul(x, weight.transpose(0, 1), out);
        CudaConvolution.addBias(rt, out, bias, activation == UnaryOp.RELU);
    }

    // ---- convolution, pooling -------------------------------------------------------------------

    @Override
    public void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, NDArray out) {
        CudaConvolution.forward(rt, input, weight, bias, g, false, out);
    }

    /** A ReLU after a bias is applied in the bias pass (no second pass over the output); anything else is the default composition. */
    @Override
    public void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, UnaryOp activation, NDArray out) {
        if (activation == UnaryOp.RELU && bias != null) CudaConvolution.forward(rt, input, weight, bias, g, true, out);
        else Backend.super.conv2d(input, weight, bias, g, activation, out);
    }

    @Override
    public void conv2dBackwardInput(NDArray gradOut, NDArray weight, ConvGeometry g, NDArray gradInput) {
        CudaConvolution.backwardInput(rt, gradOut, weight, g, gradInput);
    }

    @Override
    public void conv2dBackwardWeight(NDArray input, NDArray gradOut, ConvGeometry g, NDArray gradWeight) {
        CudaConvolution.backwardWeight(rt, input, gradOut, g, gradWeight);
    }

    @Override
    public void maxPool2d(NDArray input, PoolGeometry g, NDArray out, NDArray indices) {
        rt.launch(CudaKernel.MAX_POOL_FORWARD, module("pool", input.dtype()), out.numel(), s(input), s(out), s(indices),
                KernelLayout.of(input), KernelLayout.of(out), KernelLayout.of(indices), KernelPlans.poolStruct(g));
    }

    /** One thread per (n, c) plane; the kernel reads only the sizes of the struct (each window's choice is in the indices). */
    @Override
    public void maxPool2dBackward(NDArray gradOut, NDArray indices, NDArray gradInput) {
        int[] in = gradInput.shape();
        int[] sizes = KernelPlans.poolPlanesStruct(in, gradOut.shape());
        rt.launch(CudaKernel.MAX_POOL_BACKWARD, module("pool", gradOut.dtype()), (long) in[0] * in[1], s(gradOut), s(indices), s(gradInput),
                KernelLayout.of(gradOut), KernelLayout.of(indices), KernelLayout.of(gradInput), sizes);
    }

    @Override
    public void maxPool2dBackward(NDArray gradOut, NDArray indices, PoolGeometry g, NDArray reluOutput, NDArray gradInput) {
        NDArray mask = reluOutput == null ? gradOut : reluOutput;   // read only when masked
        rt.launch(CudaKernel.MAX_POOL_BACKWARD_CELLS, module("pool", gradOut.dtype()), gradInput.numel(), s(gradOut), s(indices), s(mask), s(gradInput),
                KernelLayout.of(gradOut), KernelLayout.of(indices), KernelLayout.of(mask), KernelLayout.of(gradInput),
                KernelPlans.poolStruct(g), reluOutput == null ? 0 : 1);
    }

    @Override
    public void avgPool2d(NDArray input, PoolGeometry g, NDArray out) {
        rt.launch(CudaKernel.AVG_POOL_FORWARD, module("pool", input.dtype()), out.numel(), s(input), s(out),
                KernelLayout.of(input), KernelLayout.of(out), KernelPlans.poolStruct(g));
    }

    @Override
    public void avgPool2dBackward(NDArray gradOut, PoolGeometry g, NDArray gradInput) {
        rt.launch(CudaKernel.AVG_POOL_BACKWARD, module("pool", gradOut.dtype()), gradInput.numel(), s(gradOut), s(gradInput),
                KernelLayout.of(gradOut), KernelLayout.of(gradInput), KernelPlans.poolStruct(g));
    }

    // ---- indexing -------------------------------------------------------------------------------

    @Override
    public void gather(NDArray x, int dim, NDArray index, NDArray out) {
        KernelPlans.Gather g = KernelPlans.gather(x, dim, index, out);
        rt.launch(CudaKernel.GATHER, module("indexing", x.dtype()), g.n(), s(x), s(index), s(out),
                g.x(), g.index(), g.out(), g.n(), g.dimStride(), g.dimSize(), rt.errors().buffer());
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
        requireNotRecording("adamStep");
        NDArray vm = vMax != null ? vMax : v;
        Object[] arrays = {s(param), s(grad), s(m), s(v), s(vm), param.offset(), grad.offset(), m.offset(), v.offset(), vm.offset(), param.numel()};
        rt.launch(CudaKernel.ADAM_STEP, module("optim", param.dtype()), param.numel(),
                KernelPlans.concat(arrays, KernelPlans.adamScalars(st, param.dtype(), vMax != null && st.amsgrad())));
    }

    @Override
    public void sgdStep(SgdStep st, NDArray param, NDArray grad, NDArray momentumBuffer) {
        requireNotRecording("sgdStep");
        NDArray b = momentumBuffer != null ? momentumBuffer : param;
        Object[] arrays = {s(param), s(grad), s(b), param.offset(), grad.offset(), b.offset(), param.numel()};
        rt.launch(CudaKernel.SGD_STEP, module("optim", param.dtype()), param.numel(), KernelPlans.concat(arrays, KernelPlans.sgdScalars(st, param.dtype())));
    }

    /**
     * Every parameter in one launch of {@code adam_multi} (optim.cl): blocks map to chunks of the tensors through
     * a table of device addresses ({@link MultiTensorTable}), uploaded only when it changed.
     */
    @Override
    public void adamStepAll(AdamStep st, List<NDArray> params, List<NDArray> grads, List<NDArray> m, List<NDArray> v, List<NDArray> vMax) {
        requireNotRecording("adamStepAll");
        if (params.isEmpty()) return;
        DType t = params.get(0).dtype();
        MultiTensorTable table = MultiTensorTable.of(List.of(params, grads, m, v, vMax != null ? vMax : v), CudaBackend::address);
        if (table.chunks() == 0) return;
        Object[] head = {UNUSED, UNUSED, UNUSED, UNUSED, UNUSED, tables.device("adam." + t, table), table.tensors(), table.chunk()};
        rt.launch(CudaKernel.ADAM_MULTI, module("optim", t), new int[] {table.chunks(), 1, 1}, new int[] {MultiTensorTable.BLOCK, 1, 1},
                KernelPlans.concat(head, KernelPlans.adamScalars(st, t, vMax != null && st.amsgrad())));
    }

    /** Every parameter in one launch of {@code sgd_multi}, as {@link #adamStepAll}. */
    @Override
    public void sgdStepAll(SgdStep st, List<NDArray> params, List<NDArray> grads, List<NDArray> momentumBuffers) {
        requireNotRecording("sgdStepAll");
        if (params.isEmpty()) return;
        DType t = params.get(0).dtype();
        MultiTensorTable table = MultiTensorTable.of(List.of(params, grads, momentumBuffers != null ? momentumBuffers : params), CudaBackend::address);
        if (table.chunks() == 0) return;
        Object[] head = {UNUSED, UNUSED, UNUSED, tables.device("sgd." + t, table), table.tensors(), table.chunk()};
        rt.launch(CudaKernel.SGD_MULTI, module("optim", t), new int[] {table.chunks(), 1, 1}, new int[] {MultiTensorTable.BLOCK, 1, 1},
                KernelPlans.concat(head, KernelPlans.sgdScalars(st, t)));
    }

    /**
     * Refuses an optimiser update while a step is recorded: its scalars (learning rate, bias corrections, SGD's first
     * step) change from step to step, and the multi-tensor table holds addresses the recording does not keep, so a
     * replay would repeat the recorded update on memory that may since hold other arrays.
     */
    private void requireNotRecording(String op) {
        if (rt.isRecording()) {
            throw new IllegalStateException(op + ": an optimizer step cannot be recorded on " + NAME
                    + " (its scalars change every step); end the recording first and run the step after each replay()");
        }
    }

    /** The device address of a contiguous array's first element. */
    private static long address(NDArray a) {
        return s(a).address(a.offset());
    }

    /** How many multi-tensor tables were uploaded (the others were reused from the device): for tests. */
    int multiTensorTableUploads() {
        return tables.uploads();
    }

    @Override
    public String toString() {
        return NAME + " (" + rt.name() + ", sm_" + rt.computeCapability() + ", PTX " + rt.arch() + ")";
    }
}
