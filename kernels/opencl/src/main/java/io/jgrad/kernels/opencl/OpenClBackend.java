package io.jgrad.kernels.opencl;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;
import io.jgrad.tensor.spi.AdamStep;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.MemoryStats;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.SgdStep;
import io.jgrad.tensor.spi.Storage;
import io.jgrad.tensor.spi.UnaryOp;
import org.jocl.cl_kernel;



/**
 * The kernels of one OpenCL device. Each op is one launch on the runtime's in-order queue, templated on
 * the dtype at compile time ({@code -DT=float}) and given every array as a buffer plus a {@link ClLayout}
 * struct, so views of any strides run without copies. Nothing here waits for the device except
 * {@link #toHost}. Matmul, convolution and pooling live in {@link ClMatmul}, {@link ClConvolution} and
 * {@link ClPooling}.
 */
public final class OpenClBackend implements Backend {

    public static final String NAME = "opencl";

    /** Work-group size of the one-group-per-output reduction; a power of two every device supports. */
    private static final int REDUCE_GROUP = 64;

    private final ClRuntime rt;
    /**
     * The op codes of the Java enums as -D defines, so the .cl switch and the enums cannot drift apart, and each
     * enum's size ({@code UNARY_COUNT}, ...), which the sources check against the cases they have.
     */
    private final String opCodes;

    public OpenClBackend(ClRuntime rt) {
        this.rt = rt;
        this.opCodes = codes("UNARY_", UnaryOp.values()) + codes("BINARY_", BinaryOp.values()) + codes("REDUCE_", ReduceOp.values());
    }

    private static String codes(String prefix, Enum<?>[] values) {
        StringBuilder sb = new StringBuilder();
        for (Enum<?> v : values) sb.append(" -D").append(prefix).append(v.name()).append('=').append(v.ordinal());
        return sb.append(" -D").append(prefix).append("COUNT=").append(values.length).toString();
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
    public MemoryStats memoryStats() {
        return rt.pool().stats();
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
        return rt.download((ClStorage) storage);
    }

    /** The kernel {@code name} of {@code resource} for arrays of {@code dtype}, with the op codes defined. */
    private cl_kernel kernel(String resource, String name, DType dtype) {
        return rt.kernel(resource, name, ClRuntime.typeDefines(dtype) + opCodes);
    }

    /** {@code value} as the kernel scalar of {@code dtype}: rounded to float, kept double, or truncated (saturating) to long. */
    static Object scalar(DType dtype, double value) {
        return switch (dtype) {
            case FLOAT32 -> (float) value;
            case FLOAT64 -> value;
            case INT64 -> (long) value;
        };
    }

    // ---- elementwise ----------------------------------------------------------------------------

    @Override
    public void copy(NDArray src, NDArray dst) {
        String defines = "-DSRC=" + ClRuntime.typeName(src.dtype()) + " -DDST=" + ClRuntime.typeName(dst.dtype())
                + (src.dtype().isFloatingPoint() && dst.dtype() == DType.INT64 ? " -DTO_LONG_SAT" : "");
        int[][] l = ClLayout.coalesce("copy", dst.shape(), src, dst);
        rt.launch(rt.kernel("elementwise.cl", "copy", defines), dst.numel(), ClStorage.of(src), ClStorage.of(dst), l[0], l[1], dst.numel());
    }

    @Override
    public void fill(NDArray dst, double value) {
        int[][] l = ClLayout.coalesce("fill", dst.shape(), dst);
        rt.launch(kernel("elementwise.cl", "fill", dst.dtype()), dst.numel(), ClStorage.of(dst), l[0], dst.numel(), scalar(dst.dtype(), value));
    }

    @Override
    public void unary(UnaryOp op, NDArray x, NDArray out, double alpha, double beta) {
        int[][] l = ClLayout.coalesce("unary " + op, out.shape(), x, out);
        rt.launch(kernel("elementwise.cl", "unary", out.dtype()), out.numel(), ClStorage.of(x), ClStorage.of(out), l[0], l[1],
                out.numel(), op.ordinal(), scalar(out.dtype(), alpha), scalar(out.dtype(), beta));
    }

    @Override
    public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        int[][] l = ClLayout.coalesce("binary " + op, out.shape(), a, b, out);
        rt.launch(kernel("elementwise.cl", "binary", out.dtype()), out.numel(), ClStorage.of(a), ClStorage.of(b), ClStorage.of(out),
                l[0], l[1], l[2], out.numel(), op.ordinal());
    }

    @Override
    public void where(NDArray cond, NDArray a, NDArray b, NDArray out) {
        int[][] l = ClLayout.coalesce("where", out.shape(), cond, a, b, out);
        String defines = ClRuntime.typeDefines(out.dtype()) + " -DC=" + ClRuntime.typeName(cond.dtype()) + opCodes;
        rt.launch(rt.kernel("elementwise.cl", "where_select", defines), out.numel(),
                ClStorage.of(cond), ClStorage.of(a), ClStorage.of(b), ClStorage.of(out), l[0], l[1], l[2], l[3], out.numel());
    }

    // ---- reductions -----------------------------------------------------------------------------

    /**
     * x is walked as two layouts: {@code outer} (out's shape, x's strides: the first element reduced into each
     * output) and {@code inner} (x's shape with the kept dims set to 1, offset 0: the steps from there).
     * Long reductions get a work-group each, short ones a work-item each.
     */
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
        int[][] outer = ClLayout.coalesce("reduce", outShape, outerView, out);
        int[] inner = ClLayout.coalesce("reduce", innerShape, innerView)[0];
        Object count = scalar(x.dtype(), nInner);
        if (nInner >= REDUCE_GROUP) {
            Object partial = new ClRuntime.LocalMemory((long) REDUCE_GROUP * x.dtype().byteSize());
            rt.launch(kernel("reduce.cl", "reduce_group", x.dtype()), new long[] {(long) nOut * REDUCE_GROUP}, new long[] {REDUCE_GROUP},
                    ClStorage.of(x), ClStorage.of(out), outer[0], inner, outer[1], nOut, nInner, op.ordinal(), count, partial);
        } else {
            rt.launch(kernel("reduce.cl", "reduce_serial", x.dtype()), nOut,
                    ClStorage.of(x), ClStorage.of(out), outer[0], inner, outer[1], nOut, nInner, op.ordinal(), count);
        }
    }

    @Override
    public void argReduce(boolean max, NDArray x, int dim, NDArray out) {
        int len = x.rank() == 0 ? 1 : x.shape(dim);
        int stride = x.rank() == 0 ? 0 : x.stride(dim);
        NDArray starts = NDArray.view(x.storage(), out.shape(), x.strides(), x.offset());
        int[][] l = ClLayout.coalesce("argReduce", out.shape(), starts, out);
        rt.launch(kernel("reduce.cl", "arg_reduce", x.dtype()), out.numel(),
                ClStorage.of(x), ClStorage.of(out), l[0], l[1], out.numel(), len, stride, max ? 1 : 0);
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
        int len = x.shape(dim);
        if (len == 0) return;
        int[] rowShape = x.shape();
        rowShape[dim] = 1;
        NDArray xRows = NDArray.view(x.storage(), rowShape, x.strides(), x.offset());
        NDArray outRows = NDArray.view(out.storage(), rowShape, out.strides(), out.offset());
        int[][] l = ClLayout.coalesce("softmax", rowShape, xRows, outRows);
        int rows = Shapes.numel(rowShape);
        rt.launch(kernel("reduce.cl", "softmax_rows", x.dtype()), rows, ClStorage.of(x), ClStorage.of(out), l[0], l[1],
                rows, len, x.stride(dim), out.stride(dim), log ? 1 : 0);
    }

    // ---- convolution, pooling -------------------------------------------------------------------

    @Override
    public void conv2d(NDArray input, NDArray weight, NDArray bias, ConvGeometry g, NDArray out) {
        ClConvolution.forward(rt, input, weight, bias, g, out);
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
        int[] strides = x.strides();
        int dimStride = x.rank() == 0 ? 0 : strides[dim], dimSize = x.rank() == 0 ? 1 : x.shape(dim);
        if (x.rank() > 0) strides[dim] = 0;
        // x "pinned" along dim: the index's shape, x's strides elsewhere; the index value supplies the dim.
        NDArray pinned = NDArray.view(x.storage(), index.shape(), strides, x.offset());
        int[][] l = ClLayout.coalesce("gather", index.shape(), pinned, index, out);
        rt.launch(kernel("indexing.cl", "gather", x.dtype()), out.numel(), ClStorage.of(x), ClStorage.of(index), ClStorage.of(out),
                l[0], l[1], l[2], out.numel(), dimStride, dimSize, rt.errors());
    }

    @Override
    public void scatterAdd(NDArray target, int dim, NDArray index, NDArray src) {
        rt.launch(kernel("indexing.cl", "scatter_add", target.dtype()), target.numel(),
                ClStorage.of(target), ClStorage.of(index), ClStorage.of(src),
                ClLayout.of(target), ClLayout.of(index), ClLayout.of(src), target.numel(), dim, rt.errors());
    }

    @Override
    public void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        if (x.rank() == 0) { // a 0-d array is its own only slice
            copy(x, out);
            return;
        }
        rt.launch(kernel("indexing.cl", "index_select", x.dtype()), out.numel(),
                ClStorage.of(x), ClStorage.of(index), ClStorage.of(out),
                ClLayout.struct("indexSelect", out.shape(), x.strides(), x.offset()), ClLayout.of(out), out.numel(), dim,
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
                ClLayout.of(target), ClLayout.of(src), target.numel(), dim, index.offset(), index.stride(0), index.numel(), rt.errors());
    }

    // ---- fused optimiser updates ----------------------------------------------------------------

    /** Scalars rounded to the parameter dtype first, as {@link AdamStep} specifies (and the reference does). */
    @Override
    public void adamStep(AdamStep s, NDArray param, NDArray grad, NDArray m, NDArray v, NDArray vMax) {
        DType t = param.dtype();
        NDArray vm = vMax != null ? vMax : v;
        rt.launch(rt.kernel("optim.cl", "adam_step", ClRuntime.typeDefines(t)), param.numel(),
                ClStorage.of(param), ClStorage.of(grad), ClStorage.of(m), ClStorage.of(v), ClStorage.of(vm),
                param.offset(), grad.offset(), m.offset(), v.offset(), vm.offset(), param.numel(),
                scalar(t, s.decay()),
                scalar(t, s.beta1()), scalar(t, s.oneMinusBeta1()), scalar(t, s.beta2()), scalar(t, s.oneMinusBeta2()),
                scalar(t, s.stepSize()), scalar(t, s.sqrtBiasCorrection2()), scalar(t, s.eps()),
                s.maximize() ? 1 : 0, s.decoupled() ? 1 : 0, s.l2Penalty() ? 1 : 0, vMax != null && s.amsgrad() ? 1 : 0);
    }

    @Override
    public void sgdStep(SgdStep s, NDArray param, NDArray grad, NDArray momentumBuffer) {
        DType t = param.dtype();
        NDArray b = momentumBuffer != null ? momentumBuffer : param;
        rt.launch(rt.kernel("optim.cl", "sgd_step", ClRuntime.typeDefines(t)), param.numel(),
                ClStorage.of(param), ClStorage.of(grad), ClStorage.of(b), param.offset(), grad.offset(), b.offset(), param.numel(),
                scalar(t, s.weightDecay()), scalar(t, s.lr()), scalar(t, s.momentum()), scalar(t, 1 - s.dampening()),
                s.maximize() ? 1 : 0, s.weightDecay() != 0 ? 1 : 0, s.momentum() != 0 ? 1 : 0, s.firstStep() ? 1 : 0, s.nesterov() ? 1 : 0);
    }

    @Override
    public String toString() {
        return NAME + " (" + rt.info().name() + ")";
    }
}
