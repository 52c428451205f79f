package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.KernelDefines;
import io.jgrad.tensor.spi.KernelLayout;
import io.jgrad.tensor.spi.KernelPlans;
import io.jgrad.tensor.spi.MemoryStats;
import io.jgrad.tensor.spi.MultiTensorTable;
import io.jgrad.tensor.spi.MultiTensorTableCache;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.SgdStep;
import io.jgrad.tensor.spi.Storage;
import io.jgrad.tensor.spi.UnaryOp;
import org.jocl.CL;
import org.jocl.cl_kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernels of one OpenCL device. Each op is one launch on the runtime's in-order queue, templated on
 * the dtype at compile time ({@code -DT=float}) and given every array as a buffer plus a {@link KernelLayout}
 * struct, so views of any strides run without copies. Nothing here waits for the device except
 * {@link #toHost}. Matmul, convolution and pooling live in {@link ClMatmul}, {@link ClConvolution} and
 * {@link ClPooling}.
 */
public final class OpenClBackend implements Backend {

    public static final String NAME = "opencl";

    /**
     * Parameters per launch of the multi-tensor updates ({@code adam_slots}, {@code sgd_slots} of optim.cl), which
     * take each parameter's arrays as arguments of their own: OpenCL C cannot read buffer addresses from a table.
     */
    static final int MULTI_SLOTS = 8;
    /**
     * Bytes of arguments {@code adam_slots} needs: 41 buffers and 15 scalars, 424 bytes with 8-byte pointers and
     * doubles. Every full-profile device takes 1024; an embedded-profile one may take only 256, and then gets one
     * launch per parameter.
     */
    static final long SLOT_ARGUMENT_BYTES = 512;

    private final ClRuntime rt;
    private final MultiTensorTableCache<ClStorage> tables;
    /** Whether the multi-tensor updates run as {@code *_slots} launches (the device takes their arguments); tests switch it. */
    boolean slotUpdates;

    public OpenClBackend(ClRuntime rt) {
        this.rt = rt;
        this.tables = new MultiTensorTableCache<>(rt::upload, ClStorage::close);
        this.slotUpdates = ClDevices.deviceLong(rt.device(), CL.CL_DEVICE_MAX_PARAMETER_SIZE) >= SLOT_ARGUMENT_BYTES;
    }

    public ClRuntime runtime() {
        return rt;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Device device() {
        return rt.jgradDevice();
    }

    @Override
    public String deviceName() {
        return rt.info().describe();
    }

    @Override
    public void synchronize() {
        rt.finish();
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
        return rt.pool().stats();
    }

    // ---- memory ---------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, int size) {
        return rt.allocate(dtype, size);
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
        return rt.download((ClStorage) storage);
    }

    /** The kernel {@code name} of {@code resource} for arrays of {@code dtype}, with the op codes defined. */
    private cl_kernel kernel(String resource, String name, DType dtype) {
        return rt.kernel(resource, name, KernelDefines.typeAndOpDefines(dtype));
    }

    /** {@code value} as the kernel scalar of {@code dtype} ({@link KernelDefines#scalar}). */
    static Object scalar(DType dtype, double value) {
        return KernelDefines.scalar(dtype, value);
    }

    // ---- elementwise ----------------------------------------------------------------------------

    @Override
    public void copy(NDArray src, NDArray dst) {
        String defines = KernelDefines.copyDefines(src.dtype(), dst.dtype());
        int[][] l = KernelLayout.coalesce("copy", dst.shape(), src, dst);
        rt.launch(rt.kernel("elementwise.cl", "copy", defines), dst.numel(), ClStorage.of(src), ClStorage.of(dst), l[0], l[1], dst.numel());
    }

    @Override
    public void fill(NDArray dst, double value) {
        int[][] l = KernelLayout.coalesce("fill", dst.shape(), dst);
        rt.launch(kernel("elementwise.cl", "fill", dst.dtype()), dst.numel(), ClStorage.of(dst), l[0], dst.numel(), scalar(dst.dtype(), value));
    }

    @Override
    public void unary(UnaryOp op, NDArray x, NDArray out, double alpha, double beta) {
        int[][] l = KernelLayout.coalesce("unary " + op, out.shape(), x, out);
        rt.launch(kernel("elementwise.cl", "unary", out.dtype()), out.numel(), ClStorage.of(x), ClStorage.of(out), l[0], l[1],
                out.numel(), op.ordinal(), scalar(out.dtype(), alpha), scalar(out.dtype(), beta));
    }

    @Override
    public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        int[][] l = KernelLayout.coalesce("binary " + op, out.shape(), a, b, out);
        rt.launch(kernel("elementwise.cl", "binary", out.dtype()), out.numel(), ClStorage.of(a), ClStorage.of(b), ClStorage.of(out),
                l[0], l[1], l[2], out.numel(), op.ordinal());
    }

    @Override
    public void where(NDArray cond, NDArray a, NDArray b, NDArray out) {
        int[][] l = KernelLayout.coalesce("where", out.shape(), cond, a, b, out);
        String defines = KernelDefines.whereDefines(out.dtype(), cond.dtype());
        rt.launch(rt.kernel("elementwise.cl", "where_select", defines), out.numel(),
                ClStorage.of(cond), ClStorage.of(a), ClStorage.of(b), ClStorage.of(out), l[0], l[1], l[2], l[3], out.numel());
    }

    // ---- reductions -----------------------------------------------------------------------------

    /** Long reductions get a work-group each, short ones a work-item each ({@link KernelPlans#reduce}). */
    @Override
    public void reduce(ReduceOp op, NDArray x, NDArray out) {
        if (out.numel() == 0) return;
        KernelPlans.Reduce r = KernelPlans.reduce(x, out);
        if (r.nInner() == 0) {
            fill(out, op == ReduceOp.MEAN ? Double.NaN : 0.0); // an empty sum is 0 and its mean 0/0
            return;
        }
        Object count = scalar(x.dtype(), r.nInner());
        if (r.grouped()) {
            long group = KernelDefines.REDUCE_GROUP;
            rt.launch(kernel("reduce.cl", "reduce_group", x.dtype()), new long[] {r.nOut() * group}, new long[] {group},
                    ClStorage.of(x), ClStorage.of(out), r.outer(), r.inner(), r.out(), r.nOut(), r.nInner(), op.ordinal(), count);
        } else {
            rt.launch(kernel("reduce.cl", "reduce_serial", x.dtype()), r.nOut(),
                    ClStorage.of(x), ClStorage.of(out), r.outer(), r.inner(), r.out(), r.nOut(), r.nInner(), op.ordinal(), count);
        }
    }

    @Override
    public void argReduce(boolean max, NDArray x, int dim, NDArray out) {
        KernelPlans.ArgReduce a = KernelPlans.argReduce(x, dim, out);
        rt.launch(kernel("reduce.cl", "arg_reduce", x.dtype()), a.n(),
                ClStorage.of(x), ClStorage.of(out), a.x(), a.out(), a.n(), a.len(), a.stride(), max ? 1 : 0);
    }

    // ---- linear algebra, softmax ----------------------------------------------------------------

    @Override
    public void matmul(NDArray a, NDArray b, NDArray out) {
        ClMatmul.matmul(rt, a, b, out);
    }

    @Override
    public void softmax(NDArray x, int dim, boolean log, NDArray out) {
        if (x.rank() == 0) {
            fill(out, log ? 0.0 : 1.0);
            return;
        }
        if (x.shape(dim) == 0) return;
        KernelPlans.Softmax sm = KernelPlans.softmax(x, dim, out);
        rt.launch(kernel("reduce.cl", "softmax_rows", x.dtype()), sm.rows(), ClStorage.of(x), ClStorage.of(out), sm.x(), sm.out(),
                sm.rows(), sm.len(), sm.xStride(), sm.outStride(), log ? 1 : 0);
    }

    // ---- cross-entropy ----------------------------------------------------------------------------

    @Override
    public void crossEntropy(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray loss, NDArray rowStats) {
        int[][] l = KernelPlans.rowStarts("crossEntropy", target.shape(), x, target);
        rt.launch(kernel("reduce.cl", "cross_entropy_rows", x.dtype()), target.numel(), ClStorage.of(x), ClStorage.of(target),
                ClStorage.of(weight == null ? x : weight), ClStorage.of(loss), ClStorage.of(rowStats), l[0], l[1], KernelPlans.optionalLayout(weight),
                target.numel(), x.shape(x.rank() - 1), x.stride(x.rank() - 1), weight == null ? 0 : 1, (long) p.ignoreIndex(),
                scalar(x.dtype(), p.labelSmoothing()), rt.errors());
    }

    @Override
    public void crossEntropyTotal(NDArray loss, NDArray rowStats, boolean mean, NDArray total) {
        totalLaunch(loss.dtype(), KernelPlans.crossEntropyTotalArgs(null, null, null, null, mean, loss, rowStats, total, rt.errors(),
                ClStorage::of, v -> scalar(loss.dtype(), v)));
    }

    /** A small batch's rows and total in one launch ({@link KernelPlans#crossEntropyInOneLaunch}); more, the two launches. */
    @Override
    public void crossEntropyReduced(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, boolean mean,
                                    NDArray loss, NDArray rowStats, NDArray total) {
        if (!KernelPlans.crossEntropyInOneLaunch(x, target)) {
            Backend.super.crossEntropyReduced(x, target, weight, p, mean, loss, rowStats, total);
            return;
        }
        totalLaunch(x.dtype(), KernelPlans.crossEntropyTotalArgs(x, target, weight, p, mean, loss, rowStats, total, rt.errors(),
                ClStorage::of, v -> scalar(x.dtype(), v)));
    }

    /** One work-group of cross_entropy_total. */
    private void totalLaunch(DType dtype, Object[] args) {
        long group = KernelDefines.REDUCE_GROUP;
        rt.launch(kernel("reduce.cl", "cross_entropy_total", dtype), new long[] {group}, new long[] {group}, args);
    }

    @Override
    public void crossEntropyBackward(NDArray x, NDArray target, NDArray weight, CrossEntropyParams p, NDArray rowStats,
                                     NDArray gradLoss, NDArray divisor, NDArray gradX) {
        int[][] l = KernelPlans.rowStarts("crossEntropyBackward", target.shape(), x, target, gradLoss, divisor == null ? gradLoss : divisor, gradX);
        rt.launch(kernel("reduce.cl", "cross_entropy_backward", x.dtype()), target.numel(), ClStorage.of(x), ClStorage.of(target),
                ClStorage.of(weight == null ? x : weight), ClStorage.of(rowStats), ClStorage.of(gradLoss), ClStorage.of(divisor == null ? gradLoss : divisor),
                ClStorage.of(gradX), l[0], l[1], KernelPlans.optionalLayout(weight), l[2], l[3], l[4], target.numel(), x.shape(x.rank() - 1), x.stride(x.rank() - 1),
                gradX.stride(gradX.rank() - 1), weight == null ? 0 : 1, divisor == null ? 0 : 1, (long) p.ignoreIndex(), scalar(x.dtype(), p.labelSmoothing()));
    }

    /** With a bias, the bias and a ReLU in one launch after the product; anything else is the default composition. */
    @Override
    public void linear(NDArray x, NDArray weight, NDArray bias, UnaryOp activation, NDArray out) {
        if (bias == null || (activation != null && activation != UnaryOp.RELU)) {
            Backend.super.linear(x, weight, bias, activation, out);
            return;
        }
        matmul(x, weight.transpose(0, 1), out);
        ClConvolution.addBias(rt, out, bias, activation == UnaryOp.RELU);
    }

    // ---- convolution, pooling -------------------------------------------------------------------

    @Override
    public void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, NDArray out) {
        ClConvolution.forward(rt, input, weight, bias, g, false, out);
    }

    /** A ReLU after a bias is applied in the bias pass (no second pass over the output); anything else is the default composition. */
    @Override
    public void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, UnaryOp activation, NDArray out) {
        if (activation == UnaryOp.RELU && bias != null) ClConvolution.forward(rt, input, weight, bias, g, true, out);
        else Backend.super.conv2d(input, weight, bias, g, activation, out);
    }

    @Override
    public void conv2dBackwardInput(NDArray gradOut, NDArray weight, ConvGeometry g, NDArray gradInput) {
        ClConvolution.backwardInput(rt, gradOut, weight, g, gradInput);
    }

    @Override
    public void conv2dBackwardWeight(NDArray input, NDArray gradOut, ConvGeometry g, NDArray gradWeight) {
        ClConvolution.backwardWeight(rt, input, gradOut, g, gradWeight);
    }

    @Override
    public void maxPool2d(NDArray input, PoolGeometry g, NDArray out, NDArray indices) {
        ClPooling.maxForward(rt, input, g, out, indices);
    }

    @Override
    public void maxPool2dBackward(NDArray gradOut, NDArray indices, NDArray gradInput) {
        ClPooling.maxBackward(rt, gradOut, indices, gradInput);
    }

    @Override
    public void maxPool2dBackward(NDArray gradOut, NDArray indices, PoolGeometry g, NDArray reluOutput, NDArray gradInput) {
        ClPooling.maxBackwardCells(rt, gradOut, indices, g, reluOutput, gradInput);
    }

    @Override
    public void avgPool2d(NDArray input, PoolGeometry g, NDArray out) {
        ClPooling.avgForward(rt, input, g, out);
    }

    @Override
    public void avgPool2dBackward(NDArray gradOut, PoolGeometry g, NDArray gradInput) {
        ClPooling.avgBackward(rt, gradOut, g, gradInput);
    }

    // ---- indexing -------------------------------------------------------------------------------

    @Override
    public void gather(NDArray x, int dim, NDArray index, NDArray out) {
        KernelPlans.Gather g = KernelPlans.gather(x, dim, index, out);
        rt.launch(kernel("indexing.cl", "gather", x.dtype()), g.n(), ClStorage.of(x), ClStorage.of(index), ClStorage.of(out),
                g.x(), g.index(), g.out(), g.n(), g.dimStride(), g.dimSize(), rt.errors());
    }

    @Override
    public void scatterAdd(NDArray target, int dim, NDArray index, NDArray src) {
        rt.launch(kernel("indexing.cl", "scatter_add", target.dtype()), target.numel(),
                ClStorage.of(target), ClStorage.of(index), ClStorage.of(src),
                KernelLayout.of(target), KernelLayout.of(index), KernelLayout.of(src), target.numel(), dim, rt.errors());
    }

    @Override
    public void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        if (x.rank() == 0) { // a 0-d array is its own only slice
            copy(x, out);
            return;
        }
        rt.launch(kernel("indexing.cl", "index_select", x.dtype()), out.numel(),
                ClStorage.of(x), ClStorage.of(index), ClStorage.of(out),
                KernelLayout.struct("indexSelect", out.shape(), x.strides(), x.offset()), KernelLayout.of(out), out.numel(), dim,
                index.offset(), index.stride(0), x.shape(dim), rt.errors());
    }

    @Override
    public void indexAdd(NDArray target, int dim, NDArray index, NDArray src) {
        if (target.rank() == 0) { // the one index (0) adds the 0-d src to the 0-d target
            binary(BinaryOp.ADD, target, src, target);
            return;
        }
        rt.launch(kernel("indexing.cl", "index_add", target.dtype()), target.numel(),
                ClStorage.of(target), ClStorage.of(index), ClStorage.of(src),
                KernelLayout.of(target), KernelLayout.of(src), target.numel(), dim, index.offset(), index.stride(0), index.numel(), rt.errors());
    }

    // ---- fused optimiser updates ----------------------------------------------------------------

    /** Scalars rounded to the parameter dtype first, as {@link AdamStep} specifies (and the reference does). */
    @Override
    public void adamStep(AdamStep s, NDArray param, NDArray grad, NDArray m, NDArray v, NDArray vMax) {
        NDArray vm = vMax != null ? vMax : v;
        Object[] arrays = {ClStorage.of(param), ClStorage.of(grad), ClStorage.of(m), ClStorage.of(v), ClStorage.of(vm),
                param.offset(), grad.offset(), m.offset(), v.offset(), vm.offset(), param.numel()};
        rt.launch(rt.kernel("optim.cl", "adam_step", ClRuntime.typeDefines(param.dtype())), param.numel(),
                KernelPlans.concat(arrays, KernelPlans.adamScalars(s, param.dtype(), vMax != null && s.amsgrad())));
    }

    @Override
    public void sgdStep(SgdStep s, NDArray param, NDArray grad, NDArray momentumBuffer) {
        NDArray b = momentumBuffer != null ? momentumBuffer : param;
        Object[] arrays = {ClStorage.of(param), ClStorage.of(grad), ClStorage.of(b), param.offset(), grad.offset(), b.offset(), param.numel()};
        rt.launch(rt.kernel("optim.cl", "sgd_step", ClRuntime.typeDefines(param.dtype())), param.numel(),
                KernelPlans.concat(arrays, KernelPlans.sgdScalars(s, param.dtype())));
    }

    /** Every parameter in one launch of {@code adam_slots} per {@link #MULTI_SLOTS} parameters. */
    @Override
    public void adamStepAll(AdamStep s, List<NDArray> params, List<NDArray> grads, List<NDArray> m, List<NDArray> v, List<NDArray> vMax) {
        if (!slotUpdates) {
            Backend.super.adamStepAll(s, params, grads, m, v, vMax);
            return;
        }
        if (params.isEmpty()) return;
        DType t = params.get(0).dtype();
        multiTensorUpdate("adam", List.of(params, grads, m, v, vMax != null ? vMax : v), KernelPlans.adamScalars(s, t, vMax != null && s.amsgrad()));
    }

    /** Every parameter in one launch of {@code sgd_slots} per {@link #MULTI_SLOTS} parameters, as {@link #adamStepAll}. */
    @Override
    public void sgdStepAll(SgdStep s, List<NDArray> params, List<NDArray> grads, List<NDArray> momentumBuffers) {
        if (!slotUpdates) {
            Backend.super.sgdStepAll(s, params, grads, momentumBuffers);
            return;
        }
        if (params.isEmpty()) return;
        DType t = params.get(0).dtype();
        multiTensorUpdate("sgd", List.of(params, grads, momentumBuffers != null ? momentumBuffers : params), KernelPlans.sgdScalars(s, t));
    }

    /**
     * Launches {@code <update>_slots} over the non-empty tensors of {@code roles} (param, grad, then the state
     * arrays; one list per role), {@link #MULTI_SLOTS} at a time; a slot left over gets the group's last tensor's
     * buffers, which no chunk points it at.
     */
    private void multiTensorUpdate(String update, List<List<NDArray>> roles, Object[] scalars) {
        DType t = roles.get(0).get(0).dtype();
        List<Integer> nonEmpty = new ArrayList<>();
        for (int i = 0; i < roles.get(0).size(); i++) if (roles.get(0).get(i).numel() > 0) nonEmpty.add(i);
        for (int from = 0; from < nonEmpty.size(); from += MULTI_SLOTS) {
            List<Integer> group = nonEmpty.subList(from, Math.min(from + MULTI_SLOTS, nonEmpty.size()));
            List<List<NDArray>> arrays = new ArrayList<>();
            for (List<NDArray> role : roles) arrays.add(group.stream().map(role::get).toList());
            MultiTensorTable table = MultiTensorTable.of(arrays, NDArray::offset);
            Object[] head = new Object[arrays.size() * MULTI_SLOTS + 3];
            for (int r = 0; r < arrays.size(); r++) {
                for (int slot = 0; slot < MULTI_SLOTS; slot++) head[r * MULTI_SLOTS + slot] = ClStorage.of(arrays.get(r).get(Math.min(slot, group.size() - 1)));
            }
            head[head.length - 3] = tables.device(update + "." + t + "." + from / MULTI_SLOTS, table);
            head[head.length - 2] = table.tensors();
            head[head.length - 1] = table.chunk();
            rt.launch(rt.kernel("optim.cl", update + "_slots", ClRuntime.typeDefines(t)), new long[] {(long) table.chunks() * MultiTensorTable.BLOCK},
                    new long[] {MultiTensorTable.BLOCK}, KernelPlans.concat(head, scalars));
        }
    }

    /** How many multi-tensor tables were uploaded (the others were reused from the device): for tests. */
    int multiTensorTableUploads() {
        return tables.uploads();
    }

    @Override
    public String toString() {
        return NAME + " (" + rt.info().name() + ")";
    }
}
