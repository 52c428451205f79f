package io.jgrad.tensor;

import io.jgrad.tensor.spi.AttentionGeometry;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.CrossEntropyParams;
import io.jgrad.tensor.spi.HostStorage;
import io.jgrad.tensor.spi.PoolGeometry;
import io.jgrad.tensor.spi.PoolParams;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.Storage;
import io.jgrad.tensor.spi.UnaryOp;

import java.util.Arrays;

import static io.jgrad.tensor.ArgumentChecks.checkDataLength;
import static io.jgrad.tensor.ArgumentChecks.checkMaxPool2dBackward;
import static io.jgrad.tensor.ArgumentChecks.gatherScatterDim;
import static io.jgrad.tensor.ArgumentChecks.indexAddDim;
import static io.jgrad.tensor.ArgumentChecks.indexSelectDim;
import static io.jgrad.tensor.ArgumentChecks.isInteger;
import static io.jgrad.tensor.ArgumentChecks.requireFloat;
import static io.jgrad.tensor.ArgumentChecks.requireHost;
import static io.jgrad.tensor.ArgumentChecks.requireNoPartialOverlap;
import static io.jgrad.tensor.ArgumentChecks.requireSameDevice;
import static io.jgrad.tensor.ArgumentChecks.requireSameDtype;
import static io.jgrad.tensor.ArgumentChecks.requireShape;

/**
 * An n-dimensional array: a strided view over a {@link Storage}. Element {@code [i0, i1, ...]} lives at
 * {@code offset + i0*strides[0] + i1*strides[1] + ...} in the storage (strides count elements, not bytes).
 *
 * <p>View methods ({@link #reshape}, {@link #permute}, {@link #slice}, {@link #expand}, {@link #squeeze},
 * ...) return a new NDArray over the same storage; writing through one view is visible in the others.
 * Computing methods return a new contiguous array and dispatch to the {@link Backend} of the device. Every
 * public method checks its arguments and throws {@link IllegalArgumentException} naming the op and the
 * shapes involved.
 *
 * <p>NDArray has no gradients; {@code io.jgrad.autograd.Tensor} adds them on top.
 */
public final class NDArray {

    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    private NDArray(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** A view of this array's storage with the layout {@code v}. */
    private NDArray viewOf(Views.Strided v) {
        return new NDArray(storage, v.shape(), v.strides(), v.offset());
    }

    /** A view over {@code storage}; for backends and serialisers. Bounds are checked. */
    public static NDArray view(Storage storage, int[] shape, int[] strides, int offset) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("view: shape " + Shapes.str(shape) + " and strides " + Shapes.str(strides) + " differ in rank");
        }
        int n = Shapes.numel("view", shape);
        if (n > 0) {
            long lo = offset, hi = offset;
            for (int d = 0; d < shape.length; d++) {
                long span = (long) (shape[d] - 1) * strides[d];
                if (span < 0) lo += span; else hi += span;
            }
            if (lo < 0 || hi >= storage.size()) {
                throw new IllegalArgumentException("view: shape " + Shapes.str(shape) + ", strides " + Shapes.str(strides) + " and offset " + offset
                        + " reach outside a storage of " + storage.size() + " elements");
            }
        }
        return new NDArray(storage, shape.clone(), strides.clone(), offset);
    }

    // =================================================================================================
    // Factories
    // =================================================================================================

    /** A zero-filled contiguous array on {@code device}. */
    public static NDArray zeros(DType dtype, Device device, int... shape) {
        int n = Shapes.numel("zeros", shape);
        Storage s = Backends.forDevice(device).allocate(dtype, n);
        return new NDArray(s, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    public static NDArray zeros(DType dtype, int... shape) {
        return zeros(dtype, Backends.defaultDevice(), shape);
    }

    /** float32 zeros. */
    public static NDArray zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    public static NDArray ones(DType dtype, int... shape) {
        return full(dtype, 1.0, shape);
    }

    public static NDArray ones(int... shape) {
        return ones(DType.FLOAT32, shape);
    }

    public static NDArray full(DType dtype, double value, int... shape) {
        NDArray a = zeros(dtype, shape);
        if (!isPositiveZero(value)) a.fill(value);
        return a;
    }

    public static NDArray full(double value, int... shape) {
        return full(DType.FLOAT32, value, shape);
    }

    /** True for +0.0 only: a fresh storage already holds it, but -0.0 must still be written. */
    private static boolean isPositiveZero(double value) {
        return Double.doubleToRawLongBits(value) == 0L;
    }

    /** A 0-d array. */
    public static NDArray scalar(DType dtype, double value) {
        return full(dtype, value);
    }

    public static NDArray scalar(double value) {
        return scalar(DType.FLOAT32, value);
    }

    /** A float32 array with a copy of {@code data}. */
    public static NDArray of(float[] data, int... shape) {
        checkDataLength("of", data.length, shape);
        return fromHost(new HostStorage.Float32(data.clone()), shape);
    }

    /** A float64 array with a copy of {@code data}. */
    public static NDArray of(double[] data, int... shape) {
        checkDataLength("of", data.length, shape);
        return fromHost(new HostStorage.Float64(data.clone()), shape);
    }

    /** An int64 array with a copy of {@code data}. */
    public static NDArray of(long[] data, int... shape) {
        checkDataLength("of", data.length, shape);
        return fromHost(new HostStorage.Int64(data.clone()), shape);
    }

    /** A 1-D float32 array. */
    public static NDArray of(float... data) {
        return of(data, data.length);
    }

    /** An array over a host storage (no copy on the CPU), moved to the default device. */
    public static NDArray fromHost(HostStorage host, int... shape) {
        checkDataLength("fromHost", host.size(), shape);
        Storage s = Backends.forDevice(Backends.defaultDevice()).fromHost(host);
        return new NDArray(s, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** {@code start, start+step, ...} below {@code end} (above, for a negative step), as {@code torch.arange}. */
    public static NDArray arange(DType dtype, double start, double end, double step) {
        if (step == 0 || !Double.isFinite(step)) throw new IllegalArgumentException("arange: step must be finite and non-zero, got " + step);
        if (!Double.isFinite(start) || !Double.isFinite(end)) throw new IllegalArgumentException("arange: bounds must be finite, got " + start + ", " + end);
        long n = (long) Math.ceil((end - start) / step);
        if (n < 0) throw new IllegalArgumentException("arange: step " + step + " moves away from end (start " + start + ", end " + end + ")");
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("arange: " + n + " elements is too many");
        HostStorage h = HostStorage.allocate(dtype, (int) n);
        for (int i = 0; i < n; i++) h.set(i, start + i * step);
        return fromHost(h, (int) n);
    }

    public static NDArray arange(double start, double end, double step) {
        return arange(DType.FLOAT32, start, end, step);
    }

    /** {@code 0, 1, ..., end-1} as int64, as {@code torch.arange(end)}. */
    public static NDArray arange(int end) {
        return arange(DType.INT64, 0, end, 1);
    }

    /** {@code steps} evenly spaced values from {@code start} to {@code end} inclusive. */
    public static NDArray linspace(DType dtype, double start, double end, int steps) {
        if (steps < 0) throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
        HostStorage h = HostStorage.allocate(dtype, steps);
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        // Fill from both ends, as PyTorch does, so the last value is exactly end; a single step is start.
        int half = steps / 2;
        for (int i = 0; i < steps; i++) h.set(i, i < half ? start + i * step : end - (steps - 1 - i) * step);
        if (steps == 1) h.set(0, start);
        return fromHost(h, steps);
    }

    public static NDArray linspace(double start, double end, int steps) {
        return linspace(DType.FLOAT32, start, end, steps);
    }

    /** The {@code n x n} identity. */
    public static NDArray eye(DType dtype, int n) {
        if (n < 0) throw new IllegalArgumentException("eye: n must be >= 0, got " + n);
        HostStorage h = HostStorage.allocate(dtype, n * n);
        for (int i = 0; i < n; i++) h.set(i * n + i, 1);
        return fromHost(h, n, n);
    }

    public static NDArray eye(int n) {
        return eye(DType.FLOAT32, n);
    }

    /** Uniform on [0, 1). */
    public static NDArray rand(Generator gen, DType dtype, int... shape) {
        return uniform(gen, dtype, 0, 1, shape);
    }

    public static NDArray rand(Generator gen, int... shape) {
        return rand(gen, DType.FLOAT32, shape);
    }

    /** Uniform on [low, high). */
    public static NDArray uniform(Generator gen, DType dtype, double low, double high, int... shape) {
        if (!(low <= high)) throw new IllegalArgumentException("uniform: low " + low + " must be <= high " + high);
        HostStorage h = HostStorage.allocate(dtype, Shapes.numel("uniform", shape));
        for (int i = 0; i < h.size(); i++) {
            h.set(i, low + (high - low) * gen.nextDouble());
            // A draw just below high can round up to high (in float32 from u > 1 - 2^-25): keep the interval half-open.
            if (dtype.isFloatingPoint() && low < high && h.get(i) >= high) h.set(i, largestBelow(dtype, high));
        }
        return fromHost(h, shape);
    }

    /**
     * The mask of inverted dropout: {@code 1/(1-p)} where a uniform draw is at least {@code p}, else 0. The same
     * values, from the same draws, as {@code rand(gen, dtype, shape).ge(p).mul(1 / (1 - p))}, in one pass and
     * without that composition's two temporaries (at a Transformer layer's sizes the three passes were a tenth
     * of a training step).
     */
    public static NDArray dropoutMask(Generator gen, DType dtype, double p, int... shape) {
        if (!dtype.isFloatingPoint()) throw new IllegalArgumentException("dropoutMask: dtype must be floating point, got " + dtype);
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropoutMask: p must be in [0, 1), got " + p);
        HostStorage h = HostStorage.allocate(dtype, Shapes.numel("dropoutMask", shape));
        // rand's value, rounded to the dtype and kept below 1, is a non-decreasing function of the draw's bits: the
        // elements that survive ge(p) are exactly the draws whose bits reach the least surviving one.
        long cutoff = leastSurvivingBits(dtype, p);
        if (h instanceof HostStorage.Float32 f) {
            float[] d = f.data;
            float keep = (float) (1 / (1 - p));
            for (int i = 0; i < d.length; i++) d[i] = gen.nextDoubleBits() >= cutoff ? keep : 0;
        } else {
            double keep = 1 / (1 - p);
            for (int i = 0; i < h.size(); i++) h.set(i, gen.nextDoubleBits() >= cutoff ? keep : 0);
        }
        return fromHost(h, shape);
    }

    /** The least 53-bit draw whose {@link #rand} value (as {@link #uniform} rounds it) is at least {@code p} as ge compares it; 2^53 if none is. */
    private static long leastSurvivingBits(DType dtype, double p) {
        long lo = 0, hi = 1L << 53;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            double u = mid * Generator.DOUBLE_UNIT;
            boolean survives = dtype == DType.FLOAT32 ? Math.min((float) u, Math.nextDown(1f)) >= (float) p : u >= p;
            if (survives) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /** The largest value of a floating {@code dtype} that is below {@code x}. */
    private static double largestBelow(DType dtype, double x) {
        if (dtype != DType.FLOAT32) return Math.nextDown(x);
        float f = (float) x;
        return f < x ? f : Math.nextDown(f);
    }

    public static NDArray uniform(Generator gen, double low, double high, int... shape) {
        return uniform(gen, DType.FLOAT32, low, high, shape);
    }

    /** int64 values uniform on the integers of [low, high), as {@code torch.randint}. */
    public static NDArray randint(Generator gen, long low, long high, int... shape) {
        if (low >= high) throw new IllegalArgumentException("randint: low " + low + " must be < high " + high);
        long span = high - low;
        if (span <= 0 || span > Integer.MAX_VALUE) throw new IllegalArgumentException("randint: range [" + low + ", " + high + ") is wider than 2^31 - 1");
        long[] v = new long[Shapes.numel("randint", shape)];
        for (int i = 0; i < v.length; i++) v[i] = low + gen.nextInt((int) span);
        return of(v, shape);
    }

    /** Standard normal. */
    public static NDArray randn(Generator gen, DType dtype, int... shape) {
        HostStorage h = HostStorage.allocate(dtype, Shapes.numel("randn", shape));
        for (int i = 0; i < h.size(); i++) h.set(i, gen.nextGaussian());
        return fromHost(h, shape);
    }

    public static NDArray randn(Generator gen, int... shape) {
        return randn(gen, DType.FLOAT32, shape);
    }

    /** A zero-filled contiguous array like this one (dtype, device), with the given shape. */
    public NDArray newZeros(int... newShape) {
        return zeros(dtype(), device(), newShape);
    }

    /** A zero-filled contiguous array with this array's dtype, device and shape. */
    public NDArray zerosLike() {
        return newZeros(shape);
    }

    /**
     * A contiguous array like this one (dtype, device) with undefined contents: only for the output of a kernel
     * that is called and writes every element (see {@code Backend.allocateUninitialized}); otherwise zeros.
     */
    private NDArray newOutput(int... newShape) {
        return newOutput(dtype(), newShape);
    }

    /** {@link #newOutput(int...)} of another dtype (the int64 positions a kernel writes beside its values). */
    private NDArray newOutput(DType dtype, int... newShape) {
        Storage s = backend().allocateUninitialized(dtype, Shapes.numel("output", newShape));
        return new NDArray(s, newShape.clone(), Shapes.contiguousStrides(newShape), 0);
    }

    /** A 0-d array of this array's dtype and device. */
    public NDArray scalarLike(double value) {
        return isPositiveZero(value) ? newZeros() : newOutput().fill(value);
    }

    // =================================================================================================
    // Metadata and element access
    // =================================================================================================

    public int[] shape() {
        return shape.clone();
    }

    public int shape(int dim) {
        return shape[realDim("shape", dim)];
    }

    /** {@code dim} mapped into {@code [0, rank)} for ops that need an actual dim, which a 0-d array lacks. */
    private int realDim(String op, int dim) {
        if (rank() == 0) throw new IllegalArgumentException(op + ": a 0-dim array has no dim " + dim + " (shape [])");
        return Shapes.dim(op, dim, rank());
    }

    public int[] strides() {
        return strides.clone();
    }

    /** The stride of {@code dim} (negative dims count from the end); unlike {@link #strides()} it copies nothing. */
    public int stride(int dim) {
        return strides[Shapes.dim("stride", dim, rank())];
    }

    public int offset() {
        return offset;
    }

    public Storage storage() {
        return storage;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return storage.device();
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return Shapes.numel(shape);
    }

    /** The backend that runs this array's kernels. */
    public Backend backend() {
        return Backends.forDevice(device());
    }

    /** True when the elements are laid out row-major with no gaps (sizes of 1 may have any stride). */
    public boolean isContiguous() {
        return Views.isContiguous(shape, strides);
    }

    /** True when the elements fill a block of storage without gaps in some order of the dims: a contiguous array or a permutation (a transpose) of one. */
    public boolean isDense() {
        return Views.isDense(this);
    }

    /** The element at {@code index} as a double. */
    public double get(int... index) {
        return hostStorage().get(Views.position("get", shape, strides, offset, index));
    }

    /** The element at {@code index} as a long (exact for int64). */
    public long getLong(int... index) {
        return hostStorage().getLong(Views.position("getLong", shape, strides, offset, index));
    }

    /** Writes one element (host arrays only). */
    public void set(double value, int... index) {
        requireHost("set", this);
        ((HostStorage) storage).set(Views.position("set", shape, strides, offset, index), value);
        storage.bumpVersion();
    }

    /** The single element of a one-element array. */
    public double item() {
        if (numel() != 1) throw new IllegalArgumentException("item: needs exactly one element, shape is " + Shapes.str(shape));
        return hostStorage().get(firstPosition());
    }

    private int firstPosition() {
        return offset;
    }

    private HostStorage hostStorage() {
        return storage instanceof HostStorage h ? h : backend().toHost(storage);
    }

    /** All elements in row-major order as doubles. */
    public double[] toDoubleArray() {
        NDArray c = contiguousHost();
        double[] out = new double[numel()];
        HostStorage h = (HostStorage) c.storage;
        for (int i = 0; i < out.length; i++) out[i] = h.get(c.offset + i);
        return out;
    }

    /** All elements in row-major order as floats. */
    public float[] toFloatArray() {
        NDArray c = contiguousHost();
        float[] out = new float[numel()];
        HostStorage h = (HostStorage) c.storage;
        for (int i = 0; i < out.length; i++) out[i] = (float) h.get(c.offset + i);
        return out;
    }

    /** All elements in row-major order as longs. */
    public long[] toLongArray() {
        NDArray c = contiguousHost();
        long[] out = new long[numel()];
        HostStorage h = (HostStorage) c.storage;
        for (int i = 0; i < out.length; i++) out[i] = h.getLong(c.offset + i);
        return out;
    }

    private NDArray contiguousHost() {
        NDArray c = to(Device.CPU).contiguous();
        return c;
    }

    // =================================================================================================
    // Views (no data is copied)
    // =================================================================================================

    /**
     * The same elements in a new shape (one size may be -1). A view when the strides allow it, as
     * {@code torch.reshape}; otherwise a contiguous copy.
     */
    public NDArray reshape(int... newShape) {
        int[] target = Views.inferShape("reshape", shape, newShape);
        int[] viewStrides = Views.viewStrides(shape, strides, target);
        if (viewStrides != null) return new NDArray(storage, target, viewStrides, offset);
        return contiguous().view(target);
    }

    /** Like {@link #reshape} but never copies: throws when the strides make a view impossible. */
    public NDArray view(int... newShape) {
        int[] target = Views.inferShape("view", shape, newShape);
        int[] viewStrides = Views.viewStrides(shape, strides, target);
        if (viewStrides == null) {
            throw new IllegalArgumentException("view: shape " + Shapes.str(target) + " is not compatible with the strides " + Shapes.str(strides)
                    + " of shape " + Shapes.str(shape) + "; use reshape() (which copies) or contiguous() first");
        }
        return new NDArray(storage, target, viewStrides, offset);
    }

    /** All elements in one dim. */
    public NDArray flatten() {
        return reshape(-1);
    }

    /** Dims reordered: result dim {@code i} is this array's dim {@code order[i]}. */
    public NDArray permute(int... order) {
        return viewOf(Views.permute(shape, strides, offset, order));
    }

    /** Swaps two dims. */
    public NDArray transpose(int dim0, int dim1) {
        return permute(Shapes.transposeOrder("transpose", dim0, dim1, rank()));
    }

    /** The transpose of a matrix (rank 0 and 1 are returned unchanged, as {@code torch.t}). */
    public NDArray t() {
        if (rank() > 2) throw new IllegalArgumentException("t: expects a tensor of rank <= 2, got shape " + Shapes.str(shape) + "; use transpose(dim0, dim1)");
        return rank() < 2 ? this : transpose(0, 1);
    }

    /**
     * Elements {@code start, start+step, ...} below {@code end} along {@code dim}. Negative bounds count from
     * the end and out-of-range bounds are clamped, as Python slicing; {@code step} must be positive.
     */
    public NDArray slice(int dim, int start, int end, int step) {
        int d = realDim("slice", dim);
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
        return viewOf(Views.slice(shape, strides, offset, d, start, end, step));
    }

    public NDArray slice(int dim, int start, int end) {
        return slice(dim, start, end, 1);
    }

    /** {@code length} elements from {@code start} along {@code dim}; unlike slice, out-of-range is an error. */
    public NDArray narrow(int dim, int start, int length) {
        int d = realDim("narrow", dim);
        int s = start < 0 ? start + shape[d] : start;
        if (s < 0 || length < 0 || s + length > shape[d]) {
            throw new IllegalArgumentException("narrow: start " + start + " and length " + length + " exceed dim " + dim + " of shape " + Shapes.str(shape));
        }
        return slice(d, s, s + length, 1);
    }

    /** The sub-array at {@code index} along {@code dim}, with that dim removed. */
    public NDArray select(int dim, int index) {
        return viewOf(Views.select(shape, strides, offset, realDim("select", dim), dim, index));
    }

    /**
     * This array repeated (without copying: stride 0) to {@code newShape}, under broadcasting rules: new
     * leading dims may be added and size-1 dims stretched; -1 keeps a size.
     */
    public NDArray expand(int... newShape) {
        return viewOf(Views.expand(shape, strides, offset, newShape));
    }

    /** Removes every size-1 dim. */
    public NDArray squeeze() {
        return viewOf(Views.squeeze(shape, strides, offset));
    }

    /** Removes {@code dim} if its size is 1 (otherwise returns this array), as {@code torch.squeeze(dim)}. */
    public NDArray squeeze(int dim) {
        int d = Shapes.dim("squeeze", dim, rank());
        if (rank() == 0 || shape[d] != 1) return this;
        return select(d, 0);
    }

    /** Inserts a size-1 dim at {@code dim} (in {@code [-rank-1, rank]}). */
    public NDArray unsqueeze(int dim) {
        return viewOf(Views.unsqueeze(shape, strides, offset, dim));
    }

    /** This array if already contiguous, otherwise a contiguous copy. */
    public NDArray contiguous() {
        return isContiguous() ? this : copy();
    }

    /** A contiguous copy (never shares storage). */
    public NDArray copy() {
        NDArray out = newOutput(shape);
        if (!isEmpty(out)) backend().copy(this, out);
        return out;
    }

    /** A copy converted to {@code dtype}, or this array when it already has it. */
    public NDArray to(DType dtype) {
        if (dtype == dtype()) return this;
        NDArray out = zeros(dtype, device(), shape);
        if (!isEmpty(out)) backend().copy(this, out);
        return out;
    }

    /** A contiguous copy on {@code target}, or this array when it is already there. */
    public NDArray to(Device target) {
        if (target.equals(device())) return this;
        NDArray c = contiguous();
        HostStorage host = backend().toHost(c.storage);
        if (c.offset != 0 || host.size() != c.numel()) {
            HostStorage trimmed = HostStorage.allocate(dtype(), c.numel());
            for (int i = 0; i < c.numel(); i++) trimmed.set(i, host.get(c.offset + i));
            if (dtype() == DType.INT64) for (int i = 0; i < c.numel(); i++) trimmed.setLong(i, host.getLong(c.offset + i));
            host = trimmed;
        }
        Storage moved = Backends.forDevice(target).fromHost(host);
        return new NDArray(moved, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    // =================================================================================================
    // In-place writes
    // =================================================================================================

    /** Sets every element (through this view) to {@code value}; returns this. */
    public NDArray fill(double value) {
        if (!isEmpty(this)) backend().fill(this, value);
        storage.bumpVersion();
        return this;
    }

    /** Copies {@code src} (broadcast to this shape, converted to this dtype) into this view; returns this. */
    public NDArray assign(NDArray src) {
        requireSameDevice("assign", this, src);
        if (Views.hasInternalOverlap(shape, strides)) throw new IllegalArgumentException("assign: cannot write into an expanded view (stride 0) of shape " + Shapes.str(shape));
        requireNoPartialOverlap("assign", this, src);
        Shapes.broadcast("assign", src.shape, shape);
        NDArray expanded = src.expandTo("assign", shape);
        if (!isEmpty(this)) backend().copy(expanded, this);
        storage.bumpVersion();
        return this;
    }

    /** {@code this += other} (broadcast to this shape); returns this. */
    public NDArray addInPlace(NDArray other) {
        return inPlace("addInPlace", BinaryOp.ADD, other);
    }

    /** {@code this -= other}; returns this. */
    public NDArray subInPlace(NDArray other) {
        return inPlace("subInPlace", BinaryOp.SUB, other);
    }

    /** {@code this *= other}; returns this. */
    public NDArray mulInPlace(NDArray other) {
        return inPlace("mulInPlace", BinaryOp.MUL, other);
    }

    /** {@code this *= factor}; returns this. */
    public NDArray mulInPlace(double factor) {
        return inPlace("mulInPlace", BinaryOp.MUL, scalarOperand("mulInPlace", factor));
    }

    private NDArray inPlace(String op, BinaryOp kind, NDArray other) {
        requireSameDevice(op, this, other);
        requireSameDtype(op, this, other);
        if (Views.hasInternalOverlap(shape, strides)) throw new IllegalArgumentException(op + ": cannot write in place into an expanded view (stride 0) of shape " + Shapes.str(shape));
        requireNoPartialOverlap(op, this, other);
        NDArray b = other.expandTo(op, shape);
        if (!isEmpty(this)) backend().binary(kind, this, b, this);
        storage.bumpVersion();
        return this;
    }

    private NDArray expandTo(String op, int[] target) {
        int[] b = Shapes.broadcast(op, shape, target);
        if (!Arrays.equals(b, target)) {
            throw new IllegalArgumentException(op + ": shape " + Shapes.str(shape) + " cannot be broadcast to " + Shapes.str(target));
        }
        return expand(target);
    }

    // =================================================================================================
    // Elementwise
    // =================================================================================================

    public NDArray add(NDArray other) { return binary("add", BinaryOp.ADD, other); }
    public NDArray sub(NDArray other) { return binary("sub", BinaryOp.SUB, other); }
    public NDArray mul(NDArray other) { return binary("mul", BinaryOp.MUL, other); }
    public NDArray div(NDArray other) { return floatBinary("div", BinaryOp.DIV, other); }
    public NDArray pow(NDArray other) { return binary("pow", BinaryOp.POW, other); }
    public NDArray maximum(NDArray other) { return binary("maximum", BinaryOp.MAXIMUM, other); }
    public NDArray minimum(NDArray other) { return binary("minimum", BinaryOp.MINIMUM, other); }
    public NDArray eq(NDArray other) { return binary("eq", BinaryOp.EQ, other); }
    public NDArray ne(NDArray other) { return binary("ne", BinaryOp.NE, other); }
    public NDArray lt(NDArray other) { return binary("lt", BinaryOp.LT, other); }
    public NDArray le(NDArray other) { return binary("le", BinaryOp.LE, other); }
    public NDArray gt(NDArray other) { return binary("gt", BinaryOp.GT, other); }
    public NDArray ge(NDArray other) { return binary("ge", BinaryOp.GE, other); }

    public NDArray add(double s) { return binary("add", BinaryOp.ADD, scalarOperand("add", s)); }
    public NDArray sub(double s) { return binary("sub", BinaryOp.SUB, scalarOperand("sub", s)); }
    public NDArray mul(double s) { return binary("mul", BinaryOp.MUL, scalarOperand("mul", s)); }
    public NDArray div(double s) { return floatBinary("div", BinaryOp.DIV, scalarOperand("div", s)); }
    public NDArray maximum(double s) { return binary("maximum", BinaryOp.MAXIMUM, scalarOperand("maximum", s)); }
    public NDArray minimum(double s) { return binary("minimum", BinaryOp.MINIMUM, scalarOperand("minimum", s)); }
    public NDArray eq(double s) { return binary("eq", BinaryOp.EQ, scalarOperand("eq", s)); }
    public NDArray ne(double s) { return binary("ne", BinaryOp.NE, scalarOperand("ne", s)); }
    public NDArray lt(double s) { return binary("lt", BinaryOp.LT, scalarOperand("lt", s)); }
    public NDArray le(double s) { return binary("le", BinaryOp.LE, scalarOperand("le", s)); }
    public NDArray gt(double s) { return binary("gt", BinaryOp.GT, scalarOperand("gt", s)); }
    public NDArray ge(double s) { return binary("ge", BinaryOp.GE, scalarOperand("ge", s)); }

    /**
     * {@code this op other} elementwise with broadcasting, for any {@link BinaryOp}; the named methods
     * ({@link #add}, {@link #mul}, ...) are this under a name, and errors name the op in the same way
     * ({@code RELU_BACKWARD}: {@code reluBackward}). Gradient formulas use it for the ops that have no name on
     * the array API, such as {@link BinaryOp#RELU_BACKWARD}.
     */
    public NDArray binary(BinaryOp op, NDArray other) {
        String name = ArgumentChecks.opName(op);
        return op.isFloatOnly() ? floatBinary(name, op, other) : binary(name, op, other);
    }

    /** {@code s - this}. */
    public NDArray rsub(double s) { return scalarOperand("rsub", s).binary("rsub", BinaryOp.SUB, this); }

    /** {@code s / this}. */
    public NDArray rdiv(double s) { return scalarOperand("rdiv", s).floatBinary("rdiv", BinaryOp.DIV, this); }

    /**
     * {@code s} as a 0-d operand of this array's dtype. An int64 array rejects a fractional or non-finite
     * scalar: torch would promote the result to float, and truncating the scalar would give other numbers.
     */
    private NDArray scalarOperand(String op, double s) {
        if (!dtype().isFloatingPoint() && !isInteger(s)) {
            throw new IllegalArgumentException(op + ": scalar " + s + " is not an integer, and the array is " + dtype() + " with shape "
                    + Shapes.str(shape) + "; convert with to(DType) first");
        }
        return scalarLike(s);
    }

    /**
     * Division is floating-point only: torch.div of integers is true division with a float result, and
     * truncating in int64 instead would silently give other numbers. Convert with {@code to(DType)} first.
     */
    private NDArray floatBinary(String op, BinaryOp kind, NDArray other) {
        requireFloat(op, this);
        return binary(op, kind, other);
    }

    private NDArray binary(String op, BinaryOp kind, NDArray other) {
        requireSameDevice(op, this, other);
        requireSameDtype(op, this, other);
        int[] outShape = Shapes.broadcast(op, shape, other.shape);
        NDArray out = newOutput(outShape);
        if (!isEmpty(out)) backend().binary(kind, expand(outShape), other.expand(outShape), out);
        return out;
    }

    /** {@code cond != 0 ? a : b}, elementwise with broadcasting of all three. */
    public static NDArray where(NDArray cond, NDArray a, NDArray b) {
        requireSameDevice("where", a, b);
        requireSameDevice("where", a, cond);
        requireSameDtype("where", a, b);
        int[] outShape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape, a.shape), b.shape);
        NDArray out = a.newOutput(outShape);
        if (!isEmpty(out)) a.backend().where(cond.expand(outShape), a.expand(outShape), b.expand(outShape), out);
        return out;
    }

    public NDArray neg() { return unary("neg", UnaryOp.NEG, 0, 0); }
    public NDArray abs() { return unary("abs", UnaryOp.ABS, 0, 0); }
    public NDArray sign() { return unary("sign", UnaryOp.SIGN, 0, 0); }
    public NDArray exp() { return floatUnary("exp", UnaryOp.EXP, 0, 0); }
    public NDArray log() { return floatUnary("log", UnaryOp.LOG, 0, 0); }
    public NDArray sqrt() { return floatUnary("sqrt", UnaryOp.SQRT, 0, 0); }
    public NDArray rsqrt() { return floatUnary("rsqrt", UnaryOp.RSQRT, 0, 0); }
    public NDArray reciprocal() { return floatUnary("reciprocal", UnaryOp.RECIPROCAL, 0, 0); }
    public NDArray square() { return unary("square", UnaryOp.SQUARE, 0, 0); }
    public NDArray tanh() { return floatUnary("tanh", UnaryOp.TANH, 0, 0); }
    public NDArray sigmoid() { return floatUnary("sigmoid", UnaryOp.SIGMOID, 0, 0); }
    public NDArray relu() { return unary("relu", UnaryOp.RELU, 0, 0); }
    public NDArray erf() { return floatUnary("erf", UnaryOp.ERF, 0, 0); }

    /** GELU, exact ({@code x·Φ(x)}) or, with {@code tanhApproximation}, PyTorch's {@code approximate='tanh'}. */
    public NDArray gelu(boolean tanhApproximation) {
        return floatUnary("gelu", tanhApproximation ? UnaryOp.GELU_TANH : UnaryOp.GELU_ERF, 0, 0);
    }

    public NDArray gelu() {
        return gelu(false);
    }

    public NDArray leakyRelu(double negativeSlope) {
        return floatUnary("leakyRelu", UnaryOp.LEAKY_RELU, negativeSlope, 0);
    }

    /** {@code this ^ exponent}. */
    public NDArray pow(double exponent) {
        return floatUnary("pow", UnaryOp.POW_SCALAR, exponent, 0);
    }

    /** Values limited to {@code [min, max]}; pass an infinity for a missing bound. */
    public NDArray clamp(double min, double max) {
        if (min > max) throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max + " (array of shape " + Shapes.str(shape) + ")");
        boolean integralBounds = (isInteger(min) || Double.isInfinite(min)) && (isInteger(max) || Double.isInfinite(max));
        if (!dtype().isFloatingPoint() && !integralBounds) {
            throw new IllegalArgumentException("clamp: bounds " + min + " and " + max + " must be integers (or infinities) for an " + dtype()
                    + " array of shape " + Shapes.str(shape));
        }
        return unary("clamp", UnaryOp.CLAMP, min, max);
    }

    private NDArray floatUnary(String op, UnaryOp kind, double alpha, double beta) {
        requireFloat(op, this);
        return unary(op, kind, alpha, beta);
    }

    private NDArray unary(String op, UnaryOp kind, double alpha, double beta) {
        NDArray out = newOutput(shape);
        if (!isEmpty(out)) backend().unary(kind, this, out, alpha, beta);
        return out;
    }

    // =================================================================================================
    // Reductions
    // =================================================================================================

    /** Sum of all elements, as a 0-d array. */
    public NDArray sum() { return reduce("sum", ReduceOp.SUM, null, false); }
    public NDArray sum(int dim) { return reduce("sum", ReduceOp.SUM, new int[] {dim}, false); }
    public NDArray sum(int dim, boolean keepdim) { return reduce("sum", ReduceOp.SUM, new int[] {dim}, keepdim); }
    /** Sum over {@code dims} (all dims when empty or null). */
    public NDArray sum(int[] dims, boolean keepdim) { return reduce("sum", ReduceOp.SUM, dims, keepdim); }

    public NDArray mean() { return reduce("mean", ReduceOp.MEAN, null, false); }
    public NDArray mean(int dim) { return reduce("mean", ReduceOp.MEAN, new int[] {dim}, false); }
    public NDArray mean(int dim, boolean keepdim) { return reduce("mean", ReduceOp.MEAN, new int[] {dim}, keepdim); }
    public NDArray mean(int[] dims, boolean keepdim) { return reduce("mean", ReduceOp.MEAN, dims, keepdim); }

    public NDArray amax() { return reduce("amax", ReduceOp.AMAX, null, false); }
    public NDArray amax(int dim, boolean keepdim) { return reduce("amax", ReduceOp.AMAX, new int[] {dim}, keepdim); }
    public NDArray amax(int[] dims, boolean keepdim) { return reduce("amax", ReduceOp.AMAX, dims, keepdim); }

    public NDArray amin() { return reduce("amin", ReduceOp.AMIN, null, false); }
    public NDArray amin(int dim, boolean keepdim) { return reduce("amin", ReduceOp.AMIN, new int[] {dim}, keepdim); }
    public NDArray amin(int[] dims, boolean keepdim) { return reduce("amin", ReduceOp.AMIN, dims, keepdim); }

    private NDArray reduce(String op, ReduceOp kind, int[] dims, boolean keepdim) {
        if (kind == ReduceOp.MEAN) requireFloat(op, this);
        int[] reduced = Shapes.dims(op, dims, rank());
        if ((kind == ReduceOp.AMAX || kind == ReduceOp.AMIN)) {
            for (int d : reduced) {
                if (shape[d] == 0) throw new IllegalArgumentException(op + ": cannot reduce over the empty dim " + d + " of shape " + Shapes.str(shape));
            }
        }
        NDArray out = isEmpty(this) ? newZeros(Shapes.keepDims(shape, reduced)) : newOutput(Shapes.keepDims(shape, reduced));
        if (isEmpty(this)) {
            // Nothing is reduced: the sum of no elements is 0 (the fresh zeros), their mean 0/0.
            if (kind == ReduceOp.MEAN && !isEmpty(out)) out.fill(Double.NaN);
        } else {
            backend().reduce(kind, this, out);
        }
        return keepdim ? out : out.view(Shapes.dropDims(shape, reduced));
    }

    /**
     * Variance over {@code dims} with Bessel's {@code correction} (1 = unbiased, PyTorch's default; 0 =
     * population variance).
     */
    public NDArray var(int[] dims, int correction, boolean keepdim) {
        requireFloat("var", this);
        int[] reduced = Shapes.dims("var", dims, rank());
        long n = 1;
        for (int d : reduced) n *= shape[d];
        NDArray centred = sub(mean(reduced, true));
        NDArray sumSq = centred.mul(centred).sum(reduced, keepdim);
        return sumSq.div(Math.max(n - correction, 0));
    }

    /** Unbiased variance of all elements. */
    public NDArray var() {
        return var(null, 1, false);
    }

    /** Index of the largest element along {@code dim} (int64). */
    public NDArray argmax(int dim, boolean keepdim) {
        return argReduce("argmax", true, dim, keepdim);
    }

    /** Index of the largest element of the flattened array (0-d int64). */
    public NDArray argmax() {
        return contiguous().view(-1).argReduce("argmax", true, 0, false);
    }

    public NDArray argmin(int dim, boolean keepdim) {
        return argReduce("argmin", false, dim, keepdim);
    }

    public NDArray argmin() {
        return contiguous().view(-1).argReduce("argmin", false, 0, false);
    }

    private NDArray argReduce(String op, boolean max, int dim, boolean keepdim) {
        int d = Shapes.dim(op, dim, rank());
        if (rank() > 0 && shape[d] == 0) throw new IllegalArgumentException(op + ": cannot reduce over the empty dim " + dim + " of shape " + Shapes.str(shape));
        int[] reduced = rank() == 0 ? new int[0] : new int[] {d};
        NDArray out = zeros(DType.INT64, device(), Shapes.keepDims(shape, reduced));
        if (!isEmpty(out)) backend().argReduce(max, this, rank() == 0 ? 0 : d, out);
        return keepdim ? out : out.view(Shapes.dropDims(shape, reduced));
    }

    // =================================================================================================
    // Linear algebra, softmax
    // =================================================================================================

    /**
     * Matrix product with {@code torch.matmul} semantics: 1-D·1-D is a dot product, a 1-D operand is
     * promoted to a matrix and the added dim removed afterwards, and leading (batch) dims broadcast.
     */
    public NDArray matmul(NDArray other) {
        requireSameDevice("matmul", this, other);
        requireSameDtype("matmul", this, other);
        if (rank() == 0 || other.rank() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dim, got shapes " + Shapes.str(shape) + " and " + Shapes.str(other.shape));
        }
        NDArray a = rank() == 1 ? unsqueeze(0) : this;
        NDArray b = other.rank() == 1 ? other.unsqueeze(1) : other;
        int m = a.shape[a.rank() - 2], k = a.shape[a.rank() - 1];
        int k2 = b.shape[b.rank() - 2], n = b.shape[b.rank() - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: shapes " + Shapes.str(shape) + " and " + Shapes.str(other.shape) + " cannot be multiplied (" + k + " != " + k2 + ")");
        }
        int[] batchA = Arrays.copyOf(a.shape, a.rank() - 2), batchB = Arrays.copyOf(b.shape, b.rank() - 2);
        if (!Shapes.broadcastable(batchA, batchB)) {
            throw new IllegalArgumentException("matmul: shapes " + Shapes.str(shape) + " and " + Shapes.str(other.shape) + " have batch dims "
                    + Shapes.str(batchA) + " and " + Shapes.str(batchB) + " that cannot be broadcast");
        }
        int[] batch = Shapes.broadcast("matmul", batchA, batchB);
        // k = 0: every element is an empty sum, the fresh zeros.
        NDArray out = k > 0 ? newOutput(Shapes.concat(batch, m, n)) : newZeros(Shapes.concat(batch, m, n));
        if (!isEmpty(out) && k > 0) backend().matmul(a.expand(Shapes.concat(batch, m, k)), b.expand(Shapes.concat(batch, k, n)), out);
        if (other.rank() == 1) out = out.squeeze(-1);
        if (rank() == 1) out = out.squeeze(out.rank() == 1 ? 0 : -2);
        return out;
    }

    /**
     * {@code relu(this·weightᵀ + bias)} for this {@code [N, in]}, {@code weight [out, in]} and {@code bias [out]} (or
     * null): a Linear layer with its ReLU, the bias and the activation one pass over the product on a GPU
     * ({@code Backend.linear}); the same values as matmul, add and relu.
     */
    public NDArray linearRelu(NDArray weight, NDArray bias) {
        String op = "linearRelu";
        requireSameDevice(op, this, weight);
        requireSameDtype(op, this, weight);
        if (rank() != 2 || weight.rank() != 2 || shape[1] != weight.shape[1]) {
            throw new IllegalArgumentException(op + ": expected input [N, in] and weight [out, in], got shapes " + Shapes.str(shape) + " and " + Shapes.str(weight.shape));
        }
        if (bias != null) {
            requireSameDevice(op, this, bias);
            requireSameDtype(op, this, bias);
            if (bias.rank() != 1 || bias.shape[0] != weight.shape[0]) {
                throw new IllegalArgumentException(op + ": bias must be [" + weight.shape[0] + "] for weight " + Shapes.str(weight.shape) + ", got shape " + Shapes.str(bias.shape));
            }
        }
        if (shape[1] == 0) {   // empty sums: the bias alone
            NDArray y = newZeros(shape[0], weight.shape[0]);
            if (bias != null && !isEmpty(y)) y.addInPlace(bias);
            return y.relu();
        }
        NDArray out = newOutput(shape[0], weight.shape[0]);
        if (!isEmpty(out)) backend().linear(this, weight, bias, UnaryOp.RELU, out);
        return out;
    }

    /** {@code exp(x) / sum(exp(x))} along {@code dim}, computed stably. */
    public NDArray softmax(int dim) {
        return softmax("softmax", dim, false);
    }

    /** {@code x - log(sum(exp(x)))} along {@code dim}, computed stably. */
    public NDArray logSoftmax(int dim) {
        return softmax("logSoftmax", dim, true);
    }

    private NDArray softmax(String op, int dim, boolean log) {
        requireFloat(op, this);
        int d = Shapes.dim(op, dim, rank());
        NDArray out = newOutput(shape);
        if (!isEmpty(out)) backend().softmax(this, d, log, out);
        return out;
    }

    /**
     * Layer normalisation over the trailing dims of {@code normalizedShape}, in one pass per row:
     * {@code (x - mean) / sqrt(var + eps) · weight + bias} with the biased variance, as {@code F.layer_norm}.
     * {@code weight} and {@code bias} (of {@code normalizedShape}) may be null. No gradient: autograd's
     * {@code Tensor.layerNorm} takes {@link #layerNormWithStatistics}, which also saves what the gradient needs.
     */
    public NDArray layerNorm(int[] normalizedShape, NDArray weight, NDArray bias, double eps) {
        return layerNorm(normalizedShape, weight, bias, eps, false)[0];
    }

    /**
     * {@link #layerNorm}, with each row's mean and {@code rstd = 1/sqrt(var + eps)} for {@link #layerNormBackward}:
     * {@code {out, mean, rstd}}, the statistics of shape {@code [rows]} (rows = numel / numel(normalizedShape)).
     */
    public NDArray[] layerNormWithStatistics(int[] normalizedShape, NDArray weight, NDArray bias, double eps) {
        return layerNorm(normalizedShape, weight, bias, eps, true);
    }

    private NDArray[] layerNorm(int[] normalizedShape, NDArray weight, NDArray bias, double eps, boolean statistics) {
        String op = "layerNorm";
        int n = checkLayerNorm(op, this, normalizedShape);
        for (NDArray p : new NDArray[] {weight, bias}) {
            if (p == null) continue;
            requireSameDevice(op, this, p);
            requireSameDtype(op, this, p);
            requireShape(op, p == weight ? "weight" : "bias", p, normalizedShape);
        }
        int rows = n == 0 ? 0 : numel() / n;
        NDArray out = zerosLike(), mean = statistics ? newZeros(rows) : null, rstd = statistics ? newZeros(rows) : null;
        if (!isEmpty(out)) {
            backend().layerNorm(reshape(rows, n), weight == null ? null : weight.reshape(n), bias == null ? null : bias.reshape(n), eps,
                    out.view(rows, n), mean, rstd);
        }
        return new NDArray[] {out, mean, rstd};
    }

    /** numel(normalizedShape), after checking that {@code x} is floating and its shape ends in it. */
    private static int checkLayerNorm(String op, NDArray x, int[] normalizedShape) {
        requireFloat(op, x);
        int r = x.rank(), d = normalizedShape.length;
        if (d == 0 || d > r || !Arrays.equals(Arrays.copyOfRange(x.shape, r - d, r), normalizedShape)) {
            throw new IllegalArgumentException(op + ": input shape " + Shapes.str(x.shape) + " does not end in normalizedShape " + Shapes.str(normalizedShape));
        }
        return Shapes.numel(normalizedShape);
    }

    /**
     * The gradients of {@link #layerNormWithStatistics} for this output gradient (of the input's shape), given the
     * {@code input}, the {@code mean} and {@code rstd} it returned and the {@code weight} (null for none):
     * {@code {gradInput, gradWeight, gradBias}}, each null unless asked for ({@link Backend#layerNormBackward}).
     */
    public NDArray[] layerNormBackward(NDArray input, int[] normalizedShape, NDArray mean, NDArray rstd, NDArray weight,
                                       boolean inputGrad, boolean weightGrad, boolean biasGrad) {
        String op = "layerNormBackward";
        int n = checkLayerNorm(op, input, normalizedShape);
        int rows = n == 0 ? 0 : input.numel() / n;
        requireShape(op, "gradOut", this, input.shape);
        for (NDArray a : new NDArray[] {mean, rstd, weight}) {
            if (a == null) continue;
            requireSameDevice(op, this, a);
            requireSameDtype(op, this, a);
        }
        requireSameDevice(op, this, input);
        requireSameDtype(op, this, input);
        requireShape(op, "mean", mean, new int[] {rows});
        requireShape(op, "rstd", rstd, new int[] {rows});
        if (weight != null) requireShape(op, "weight", weight, normalizedShape);
        NDArray gradInput = inputGrad ? input.zerosLike() : null;
        NDArray gradWeight = weightGrad ? newZeros(normalizedShape) : null, gradBias = biasGrad ? newZeros(normalizedShape) : null;
        // No rows: the input's gradient is empty and the others are sums over nothing, the fresh zeros.
        if (rows > 0 && n > 0 && (inputGrad || weightGrad || biasGrad)) {
            backend().layerNormBackward(reshape(rows, n), input.reshape(rows, n), mean, rstd, weight == null ? null : weight.reshape(n),
                    gradInput == null ? null : gradInput.view(rows, n), gradWeight == null ? null : gradWeight.view(n),
                    gradBias == null ? null : gradBias.view(n));
        }
        return new NDArray[] {gradInput, gradWeight, gradBias};
    }

    // =================================================================================================
    // Cross-entropy (class indices)
    // =================================================================================================

    /**
     * Class-index cross-entropy of these logits {@code [N, C, d...]} (rank >= 2, the classes in dim 1, {@code C > 0})
     * with the int64 {@code target [N, d...]} and optional class weights {@code weight [C]}, before reduction (see
     * {@code Backend.crossEntropy} for the formula). Returns the per-element losses {@code [N, d...]} and the row
     * statistics {@code [N, d..., 3]} that {@link #crossEntropyTotal} and {@link #crossEntropyBackward} take.
     * A target outside {@code [0, C)} other than {@code p.ignoreIndex()} is an error (on a GPU, at the next read).
     */
    public NDArray[] crossEntropy(NDArray target, NDArray weight, CrossEntropyParams p) {
        int[] rows = crossEntropyRows("crossEntropy", target, weight);
        NDArray loss = newOutput(rows), stats = newOutput(statsShape(rows));
        if (!isEmpty(loss)) backend().crossEntropy(classesLast(), target, weight, p, loss, stats);
        return new NDArray[] {loss, stats};
    }

    /**
     * {@link #crossEntropy} and {@link #crossEntropyTotal} of its losses in one call: the per-element losses, the
     * row statistics and the {@code [2]} total, as the two give them. A GPU backend computes a small batch's in one
     * launch ({@code Backend.crossEntropyReduced}).
     */
    public NDArray[] crossEntropyReduced(NDArray target, NDArray weight, CrossEntropyParams p, boolean mean) {
        int[] rows = crossEntropyRows("crossEntropy", target, weight);
        NDArray loss = newOutput(rows), stats = newOutput(statsShape(rows));
        if (isEmpty(loss)) return new NDArray[] {loss, stats, crossEntropyTotal(loss, stats, mean)};
        NDArray total = newOutput(2);
        backend().crossEntropyReduced(classesLast(), target, weight, p, mean, loss, stats, total);
        return new NDArray[] {loss, stats, total};
    }

    /**
     * The reduction of {@link #crossEntropy}'s losses: {@code [2]} holding the sum, or the weighted mean
     * ({@code Σ loss / Σ w_t}, NaN when every target is ignored), then the divisor the gradient uses (1, or
     * {@code Σ w_t}, 1 when that is 0). The loss is the 0-d view {@code select(0, 0)} of the result.
     */
    public static NDArray crossEntropyTotal(NDArray loss, NDArray rowStats, boolean mean) {
        String op = "crossEntropyTotal";
        requireFloat(op, loss);
        requireSameDevice(op, loss, rowStats);
        requireSameDtype(op, loss, rowStats);
        requireShape(op, "rowStats", rowStats, statsShape(loss.shape()));
        NDArray total = loss.newOutput(2);   // written by the kernel, or by the two fills below
        if (isEmpty(loss)) {                                   // an empty sum is 0, its mean 0/0
            total.select(0, 0).fill(mean ? Double.NaN : 0);
            total.select(0, 1).fill(1);
        } else loss.backend().crossEntropyTotal(loss.contiguous(), rowStats.contiguous(), mean, total);
        return total;
    }

    /**
     * The gradient of {@link #crossEntropy} with respect to these logits, for the per-element loss gradient
     * {@code gradLoss [N, d...]} (a view; a reduced loss's gradient expanded) divided by {@code divisor} (a
     * {@code [N, d...]} view, or null for 1), given the forward's {@code rowStats}.
     */
    public NDArray crossEntropyBackward(NDArray target, NDArray weight, CrossEntropyParams p, NDArray rowStats, NDArray gradLoss, NDArray divisor) {
        String op = "crossEntropyBackward";
        int[] rows = crossEntropyRows(op, target, weight);
        requireShape(op, "rowStats", rowStats, statsShape(rows));
        requireShape(op, "gradLoss", gradLoss, rows);
        if (divisor != null) requireShape(op, "divisor", divisor, rows);
        for (NDArray a : divisor == null ? new NDArray[] {rowStats, gradLoss} : new NDArray[] {rowStats, gradLoss, divisor}) {
            requireSameDevice(op, this, a);
            requireSameDtype(op, this, a);
        }
        NDArray gradX = newOutput(shape);
        if (!isEmpty(gradX)) backend().crossEntropyBackward(classesLast(), target, weight, p, rowStats.contiguous(), gradLoss, divisor, gradX.classesLast());
        return gradX;
    }

    /** Checks the logits, target and weight of a cross-entropy op; returns the shape of the target (the rows). */
    private int[] crossEntropyRows(String op, NDArray target, NDArray weight) {
        requireFloat(op, this);
        if (rank() < 2) throw new IllegalArgumentException(op + ": expected logits [N, C, ...], got shape " + Shapes.str(shape));
        if (shape[1] == 0) throw new IllegalArgumentException(op + ": the logits have no classes (shape " + Shapes.str(shape) + ")");
        requireSameDevice(op, this, target);
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": expected int64 class indices as target, got " + target.dtype() + " of shape " + Shapes.str(target.shape()));
        }
        int[] rows = new int[rank() - 1];
        for (int d = 0, k = 0; d < rank(); d++) if (d != 1) rows[k++] = shape[d];
        if (!Arrays.equals(rows, target.shape())) {
            throw new IllegalArgumentException(op + ": expected target " + Shapes.str(rows) + " for input shape " + Shapes.str(shape) + ", got shape "
                    + Shapes.str(target.shape()));
        }
        if (weight != null) {
            requireSameDevice(op, this, weight);
            requireSameDtype(op, this, weight);
            requireShape(op, "weight", weight, new int[] {shape[1]});
        }
        return rows;
    }

    /** The shape of cross-entropy's row statistics: the rows, then 3 (maximum, log-sum, target weight). */
    private static int[] statsShape(int[] rows) {
        int[] shape = Arrays.copyOf(rows, rows.length + 1);
        shape[rows.length] = 3;
        return shape;
    }

    /** This {@code [N, C, d...]} array viewed as {@code [N, d..., C]}: each row's classes last. */
    private NDArray classesLast() {
        int[] order = new int[rank()];
        for (int d = 0, k = 0; d < rank(); d++) if (d != 1) order[k++] = d;
        order[rank() - 1] = 1;
        return permute(order);
    }

    // =================================================================================================
    // Attention
    // =================================================================================================

    /**
     * Scaled dot-product attention of this query {@code [..., L, E]} over {@code key [..., S, E]} and
     * {@code value [..., S, Ev]} (batch dims broadcast): {@code softmax(scale·q·kᵀ + mask)·v}, with keys after the
     * query's position hidden when {@code causal}. {@code mask} (null for none) is additive, floating point, and
     * broadcasts to {@code [..., L, S]}. Returns the output {@code [..., L, Ev]} and the log-sum-exp of each row
     * of scores {@code [..., L]}, which {@link #attentionBackward} needs; a query that sees no key gets a zero
     * output and a log-sum-exp of -inf.
     */
    public NDArray[] attention(NDArray key, NDArray value, NDArray mask, double scale, boolean causal) {
        String op = "attention";
        AttentionGeometry g = attentionGeometry(op, key, value, mask, scale, causal);
        NDArray out = newZeros(g.outputShape()), lse = newZeros(g.logSumExpShape());
        if (isEmpty(lse)) return new NDArray[] {out, lse};                 // no query: nothing to compute
        if (g.keys() == 0) {
            lse.fill(Double.NEGATIVE_INFINITY);                           // an empty softmax: zero outputs, log 0
        } else if (g.headDim() == 0 || g.valueDim() == 0) {
            // Kernels see no empty dim: with E = 0 every score is the mask's value (a query and key of one zero do
            // the same), and the log-sum-exp of a query without values is computed over one zero value.
            NDArray[] r = (g.headDim() == 0 ? newZeros(g.shape(g.queries(), 1)) : this).attention(g.headDim() == 0 ? newZeros(g.shape(g.keys(), 1)) : key,
                    g.valueDim() == 0 ? newZeros(g.shape(g.keys(), 1)) : value, mask, g.headDim() == 0 ? 0 : scale, causal);
            if (!isEmpty(out)) out.assign(r[0]);
            lse.assign(r[1]);
        } else {
            backend().attention(expand(g.shape(g.queries(), g.headDim())), key.expand(g.shape(g.keys(), g.headDim())),
                    value.expand(g.shape(g.keys(), g.valueDim())), attentionMask(mask, g), g, out, lse);
        }
        return new NDArray[] {out, lse};
    }

    /**
     * The gradients of {@link #attention} with respect to this query, {@code key} and {@code value}, each of the
     * broadcast batch shape (the caller sums them back over broadcast dims), for the output gradient
     * {@code gradOut} and the {@code out} and {@code logSumExp} the forward returned.
     */
    public NDArray[] attentionBackward(NDArray key, NDArray value, NDArray mask, double scale, boolean causal,
                                       NDArray out, NDArray logSumExp, NDArray gradOut) {
        String op = "attentionBackward";
        AttentionGeometry g = attentionGeometry(op, key, value, mask, scale, causal);
        requireShape(op, "out", out, g.outputShape());
        requireShape(op, "gradOut", gradOut, g.outputShape());
        requireShape(op, "logSumExp", logSumExp, g.logSumExpShape());
        for (NDArray a : new NDArray[] {out, logSumExp, gradOut}) {
            requireSameDevice(op, this, a);
            requireSameDtype(op, this, a);
        }
        int[] qShape = g.shape(g.queries(), g.headDim()), kShape = g.shape(g.keys(), g.headDim()), vShape = g.shape(g.keys(), g.valueDim());
        NDArray gq = newZeros(qShape), gk = newZeros(kShape), gv = newZeros(vShape);
        // An empty output (no query or Ev = 0) or no keys: every gradient is an empty sum, the zeros allocated.
        if (isEmpty(out) || g.keys() == 0) return new NDArray[] {gq, gk, gv};
        if (g.headDim() == 0) {
            // Only the value has a gradient; the scores are the mask's, as for a query and key of one zero.
            gv.assign(newZeros(g.shape(g.queries(), 1)).attentionBackward(newZeros(g.shape(g.keys(), 1)), value, mask, 0, causal, out, logSumExp, gradOut)[2]);
        } else {
            backend().attentionBackward(expand(qShape), key.expand(kShape), value.expand(vShape), attentionMask(mask, g), g,
                    out.contiguous(), logSumExp.contiguous(), gradOut, gq, gk, gv);
        }
        return new NDArray[] {gq, gk, gv};
    }

    private AttentionGeometry attentionGeometry(String op, NDArray key, NDArray value, NDArray mask, double scale, boolean causal) {
        requireFloat(op, this);
        for (NDArray a : new NDArray[] {key, value}) {
            requireSameDevice(op, this, a);
            requireSameDtype(op, this, a);
        }
        if (mask != null) {
            requireSameDevice(op, this, mask);
            if (!mask.dtype().isFloatingPoint()) {
                throw new IllegalArgumentException(op + ": the mask must be additive and floating point (0 or -inf), got " + mask.dtype()
                        + " with shape " + Shapes.str(mask.shape));
            }
        }
        return AttentionGeometry.of(op, shape, key.shape, value.shape, mask == null ? null : mask.shape, scale, causal);
    }

    /** The mask in this array's dtype, viewed as {@code [...batch, L, S]}; null for none. */
    private NDArray attentionMask(NDArray mask, AttentionGeometry g) {
        return mask == null ? null : mask.to(dtype()).expand(g.shape(g.queries(), g.keys()));
    }

    // =================================================================================================
    // Convolution and pooling
    // =================================================================================================

    /** 2-D convolution of this {@code [N, C, H, W]} input; {@code bias} may be null. */
    public NDArray conv2d(NDArray weight, NDArray bias, ConvParams p) {
        ConvGeometry g = convGeometry("conv2d", shape, weight, bias, p);
        NDArray out = isEmpty(weight) ? newZeros(g.outputShape()) : newOutput(g.outputShape());
        if (isEmpty(weight)) return biasOnly(bias, out, null);
        if (!isEmpty(out)) backend().conv2d(this, weight, bias, g, out);
        return out;
    }

    /**
     * {@code conv2d(weight, bias, p).relu()} with the ReLU fused into the convolution's output pass (one array
     * written once instead of two); the same values.
     */
    public NDArray conv2dRelu(NDArray weight, NDArray bias, ConvParams p) {
        ConvGeometry g = convGeometry("conv2dRelu", shape, weight, bias, p);
        NDArray out = isEmpty(weight) ? newZeros(g.outputShape()) : newOutput(g.outputShape());
        if (isEmpty(weight)) return biasOnly(bias, out, UnaryOp.RELU);
        if (!isEmpty(out)) backend().conv2d(this, weight, bias, g, UnaryOp.RELU, out);
        return out;
    }

    /** 1-D convolution of this {@code [N, C, L]} input with {@code weight [O, C/groups, K]}; {@code bias} may be null. */
    public NDArray conv1d(NDArray weight, NDArray bias, int stride, int padding, int dilation, int groups) {
        if (rank() != 3) throw new IllegalArgumentException("conv1d: input must be [N, C, L], got shape " + Shapes.str(shape));
        if (weight.rank() != 3) throw new IllegalArgumentException("conv1d: weight must be [O, C/groups, K], got shape " + Shapes.str(weight.shape));
        return unsqueeze(2).conv2d(weight.unsqueeze(2), bias, conv1dParams(stride, padding, dilation, groups)).squeeze(2);
    }

    /** The conv2d geometry that runs a conv1d over a height-1 image. */
    public static ConvParams conv1dParams(int stride, int padding, int dilation, int groups) {
        return new ConvParams(1, stride, 0, padding, 1, dilation, groups);
    }

    /**
     * A convolution whose every output element is an empty sum (no input channels per group): the bias,
     * broadcast over batch and positions, then {@code activation} (null: none).
     */
    private static NDArray biasOnly(NDArray bias, NDArray out, UnaryOp activation) {
        if (isEmpty(out)) return out;
        if (bias != null) out.assign(bias.view(1, bias.numel(), 1, 1));
        if (activation != null) out.backend().unary(activation, out, out, 0, 0);
        return out;
    }

    /** Gradient of {@link #conv2d} with respect to its input of shape {@code inputShape}; this array is the output gradient. */
    public NDArray conv2dBackwardInput(NDArray weight, int[] inputShape, ConvParams p) {
        ConvGeometry g = convGeometry("conv2dBackwardInput", inputShape, weight, null, p);
        requireShape("conv2dBackwardInput", "grad_output", this, g.outputShape());
        // An empty output gradient (no output positions or channels) contributes nothing: zeros. Else col2im writes every cell.
        NDArray gradInput = isEmpty(this) ? zeros(dtype(), device(), inputShape) : newOutput(inputShape);
        if (!isEmpty(gradInput) && !isEmpty(this)) backend().conv2dBackwardInput(this, weight, g, gradInput);
        return gradInput;
    }

    /** Gradient of {@link #conv2d} with respect to its weight of shape {@code weightShape}; this array is the output gradient. */
    public NDArray conv2dBackwardWeight(NDArray input, int[] weightShape, ConvParams p) {
        // There is no weight array yet: the input is checked for device and dtype in its place.
        requireSameDevice("conv2dBackwardWeight", this, input);
        requireSameDtype("conv2dBackwardWeight", this, input);
        requireFloat("conv2dBackwardWeight", this);
        ConvGeometry g = ConvGeometry.of("conv2dBackwardWeight", input.shape, weightShape, null, p);
        requireShape("conv2dBackwardWeight", "grad_output", this, g.outputShape());
        // An empty batch (or output plane) is an empty sum over positions: zeros. Else the first product overwrites.
        NDArray gradWeight = isEmpty(this) ? zeros(dtype(), device(), weightShape) : newOutput(weightShape);
        if (!isEmpty(gradWeight) && !isEmpty(this)) backend().conv2dBackwardWeight(input, this, g, gradWeight);
        return gradWeight;
    }

    /** The geometry of a convolution of this array's dtype and device over an input of shape {@code in}; {@code weight} and {@code bias} must match them. */
    private ConvGeometry convGeometry(String op, int[] in, NDArray weight, NDArray bias, ConvParams p) {
        requireSameDevice(op, this, weight);
        requireSameDtype(op, this, weight);
        requireFloat(op, this);
        if (bias != null) {
            requireSameDevice(op, this, bias);
            requireSameDtype(op, this, bias);
        }
        return ConvGeometry.of(op, in, weight.shape, bias == null ? null : bias.shape, p);
    }

    /** Max pooling of this {@code [N, C, H, W]} input; returns the maxima and their int64 positions ({@code h*W + w}). */
    public NDArray[] maxPool2dWithIndices(PoolParams p) {
        PoolGeometry g = poolGeometry("maxPool2d", shape, p);
        NDArray out = newOutput(g.outputShape());
        NDArray indices = newOutput(DType.INT64, g.outputShape());
        if (!isEmpty(out)) backend().maxPool2d(this, g, out, indices);
        return new NDArray[] {out, indices};
    }

    public NDArray maxPool2d(PoolParams p) {
        return maxPool2dWithIndices(p)[0];
    }

    /** Gradient of max pooling: this array is the output gradient, {@code indices} from {@link #maxPool2dWithIndices}. */
    public NDArray maxPool2dBackward(NDArray indices, int[] inputShape) {
        checkMaxPool2dBackward(this, indices, inputShape);
        // The kernel clears each input plane before it routes the gradients there; with none to route, zeros.
        NDArray gradInput = isEmpty(this) ? zeros(dtype(), device(), inputShape) : newOutput(inputShape);
        if (!isEmpty(gradInput) && !isEmpty(this)) backend().maxPool2dBackward(this, indices, gradInput);
        return gradInput;
    }

    /**
     * Gradient of max pooling with the pool's parameters {@code p}, for {@code indices} that
     * {@link #maxPool2dWithIndices} made with them (each window's choice lies in the window); with
     * {@code reluOutput} (the pooled output, this array's shape) only windows whose output is above 0 pass their
     * gradient, as ReLU's gradient before the pool would ({@link Backend#maxPool2dBackward(NDArray, NDArray,
     * PoolGeometry, NDArray, NDArray)}). The autograd nodes of max pooling use this form.
     */
    public NDArray maxPool2dBackward(NDArray indices, int[] inputShape, PoolParams p, NDArray reluOutput) {
        checkMaxPool2dBackward(this, indices, inputShape);
        PoolGeometry g = poolGeometry("maxPool2dBackward", inputShape, p);
        requireShape("maxPool2dBackward", "grad_output", this, g.outputShape());
        if (reluOutput != null) {
            requireSameDevice("maxPool2dBackward", this, reluOutput);
            requireSameDtype("maxPool2dBackward", this, reluOutput);
            requireShape("maxPool2dBackward", "the ReLU'd pooled output", reluOutput, shape);
        }
        NDArray gradInput = isEmpty(this) ? zeros(dtype(), device(), inputShape) : newOutput(inputShape);
        if (!isEmpty(gradInput) && !isEmpty(this)) backend().maxPool2dBackward(this, indices, g, reluOutput, gradInput);
        return gradInput;
    }

    public NDArray avgPool2d(PoolParams p) {
        PoolGeometry g = poolGeometry("avgPool2d", shape, p);
        NDArray out = newZeros(g.outputShape());
        if (!isEmpty(out)) backend().avgPool2d(this, g, out);
        return out;
    }

    /** Gradient of average pooling: this array is the output gradient. */
    public NDArray avgPool2dBackward(PoolParams p, int[] inputShape) {
        PoolGeometry g = poolGeometry("avgPool2dBackward", inputShape, p);
        requireShape("avgPool2dBackward", "grad_output", this, g.outputShape());
        NDArray gradInput = zeros(dtype(), device(), inputShape);
        if (!isEmpty(gradInput) && !isEmpty(this)) backend().avgPool2dBackward(this, g, gradInput);
        return gradInput;
    }

    /** The geometry of a pooling of this array's dtype over an input of shape {@code in}. */
    private PoolGeometry poolGeometry(String op, int[] in, PoolParams p) {
        requireFloat(op, this);
        return PoolGeometry.of(op, in, p);
    }

    // =================================================================================================
    // Recurrent cells (the fused steps of LSTM and GRU; see the Backend methods of the same names)
    // =================================================================================================

    /**
     * One LSTM step: {@code xGates} and {@code hGates} {@code [N, 4H]} (gate blocks i, f, g, o, summed),
     * cell state {@code c [N, H]}. Returns {@code [hc, gates]}: {@code hc [2, N, H]} holds h' at index 0 and
     * c' at index 1, {@code gates [N, 4H]} the activations i, f, g, o that {@link #lstmCellBackward} needs.
     */
    public static NDArray[] lstmCell(NDArray xGates, NDArray hGates, NDArray c) {
        int[] nh = cellSizes("lstmCell", xGates, 4);
        checkCellArrays("lstmCell", xGates, "hGates", hGates, nh[0], 4 * nh[1]);
        checkCellArrays("lstmCell", xGates, "c", c, nh[0], nh[1]);
        NDArray hc = xGates.newZeros(2, nh[0], nh[1]), gates = xGates.newZeros(nh[0], 4 * nh[1]);
        if (!isEmpty(hc)) xGates.backend().lstmCell(xGates, hGates, c, hc.select(0, 0), hc.select(0, 1), gates);
        return new NDArray[] {hc, gates};
    }

    /**
     * Gradient of {@link #lstmCell} for the output gradient {@code gradHc [2, N, H]} (of h' and c'), given the
     * cell input {@code c}, the output {@code hc} and the saved {@code gates}. Returns {@code [gradGates
     * [N, 4H], gradC [N, H]]}; {@code gradGates} is the gradient of {@code xGates} and of {@code hGates}.
     */
    public static NDArray[] lstmCellBackward(NDArray gradHc, NDArray c, NDArray hc, NDArray gates) {
        int[] nh = cellSizes("lstmCellBackward", gates, 4);
        checkCellArrays("lstmCellBackward", gates, "c", c, nh[0], nh[1]);
        checkCellArrays("lstmCellBackward", gates, "hc", hc, 2, nh[0], nh[1]);
        checkCellArrays("lstmCellBackward", gates, "gradHc", gradHc, 2, nh[0], nh[1]);
        NDArray gradGates = gates.newZeros(nh[0], 4 * nh[1]), gradC = gates.newZeros(nh[0], nh[1]);
        if (!isEmpty(gradC)) {
            gates.backend().lstmCellBackward(gradHc.select(0, 0), gradHc.select(0, 1), c, hc.select(0, 1), gates, gradGates, gradC);
        }
        return new NDArray[] {gradGates, gradC};
    }

    /**
     * One GRU step: {@code xGates = W_ih x + b_ih} and {@code hGates = W_hh h + b_hh} {@code [N, 3H]} (gate
     * blocks r, z, n), state {@code h [N, H]}. Returns {@code [h', saved]}: {@code h' [N, H]} and
     * {@code saved [N, 4H]} (r, z, n and the n block of {@code hGates}) for {@link #gruCellBackward}.
     */
    public static NDArray[] gruCell(NDArray xGates, NDArray hGates, NDArray h) {
        int[] nh = cellSizes("gruCell", xGates, 3);
        checkCellArrays("gruCell", xGates, "hGates", hGates, nh[0], 3 * nh[1]);
        checkCellArrays("gruCell", xGates, "h", h, nh[0], nh[1]);
        NDArray out = xGates.newZeros(nh[0], nh[1]), saved = xGates.newZeros(nh[0], 4 * nh[1]);
        if (!isEmpty(out)) xGates.backend().gruCell(xGates, hGates, h, out, saved);
        return new NDArray[] {out, saved};
    }

    /**
     * Gradient of {@link #gruCell} for the output gradient {@code gradOut [N, H]}, given the input {@code h}
     * and the {@code saved} values. Returns {@code [gradXGates, gradHGates, gradH]}.
     */
    public static NDArray[] gruCellBackward(NDArray gradOut, NDArray h, NDArray saved) {
        int[] nh = cellSizes("gruCellBackward", saved, 4);
        checkCellArrays("gruCellBackward", saved, "h", h, nh[0], nh[1]);
        checkCellArrays("gruCellBackward", saved, "gradOut", gradOut, nh[0], nh[1]);
        NDArray gradX = saved.newZeros(nh[0], 3 * nh[1]), gradHGates = saved.newZeros(nh[0], 3 * nh[1]), gradH = saved.newZeros(nh[0], nh[1]);
        if (!isEmpty(gradH)) saved.backend().gruCellBackward(gradOut, h, saved, gradX, gradHGates, gradH);
        return new NDArray[] {gradX, gradHGates, gradH};
    }

    /**
     * A GRU layer over a sequence ({@link RecurrentSequences}): {@code xGates = W_ih x + b_ih} for every step
     * {@code [L, N, 3H]} (any strides), the initial state {@code h0 [N, H]}, {@code weightHh [3H, H]} and
     * {@code biasHh [3H]} (or null). Each step is {@code gruCell(xGates[t], h·W_hhᵀ + b_hh, h)}. Returns
     * {@code [states, saved]}: {@code states [L+1, N, H]} holds h0 and then the state after each step,
     * {@code saved [L, N, 4H]} each step's cell values, for {@link #gruSequenceBackward}.
     */
    public static NDArray[] gruSequence(NDArray xGates, NDArray h0, NDArray weightHh, NDArray biasHh) {
        return RecurrentSequences.gru(xGates, h0, weightHh, biasHh);
    }

    /**
     * Backpropagation through time of {@link #gruSequence} for the gradient {@code gradOut [L, N, H]} of the
     * states after each step ({@code states[1:]}). Returns the gradients of {@code xGates} (in its layout when it
     * is a transposed batch-first array), {@code h0}, {@code weightHh} and, with {@code withBias}, {@code biasHh}.
     */
    public static NDArray[] gruSequenceBackward(NDArray gradOut, NDArray xGates, NDArray weightHh, NDArray states, NDArray saved, boolean withBias) {
        return RecurrentSequences.gruBackward(gradOut, xGates, weightHh, states, saved, withBias);
    }

    /**
     * An LSTM layer over a sequence ({@link RecurrentSequences}): {@code xGates [L, N, 4H]} (the input
     * projection with both biases, any strides), initial states {@code h0}, {@code c0 [N, H]} and
     * {@code weightHh [4H, H]}; each step is {@code lstmCell(xGates[t], h·W_hhᵀ, c)}. Returns
     * {@code [states, gates]}: {@code states [2, L+1, N, H]} holds the h (index 0) and c (index 1) before the
     * first step and after each, {@code gates [L, N, 4H]} each step's activations, for
     * {@link #lstmSequenceBackward}.
     */
    public static NDArray[] lstmSequence(NDArray xGates, NDArray h0, NDArray c0, NDArray weightHh) {
        return RecurrentSequences.lstm(xGates, h0, c0, weightHh);
    }

    /**
     * Backpropagation through time of {@link #lstmSequence} for the gradient {@code gradOut [2, L, N, H]} of the
     * states after each step ({@code states[:, 1:]}). Returns the gradients of {@code xGates} ({@code [L, N, 4H]}),
     * {@code h0}, {@code c0} and {@code weightHh}.
     */
    public static NDArray[] lstmSequenceBackward(NDArray gradOut, NDArray weightHh, NDArray states, NDArray gates) {
        return RecurrentSequences.lstmBackward(gradOut, weightHh, states, gates);
    }

    /** {@code [N, H]} of a floating {@code [N, blocks·H]} array, the one the other arrays of a cell are checked against. */
    private static int[] cellSizes(String op, NDArray stacked, int blocks) {
        requireFloat(op, stacked);
        if (stacked.rank() != 2 || stacked.shape[1] % blocks != 0) {
            throw new IllegalArgumentException(op + ": expected gates of shape [N, " + blocks + "·H], got " + Shapes.str(stacked.shape));
        }
        return new int[] {stacked.shape[0], stacked.shape[1] / blocks};
    }

    private static void checkCellArrays(String op, NDArray first, String name, NDArray a, int... expected) {
        requireSameDevice(op, first, a);
        requireSameDtype(op, first, a);
        requireShape(op, name, a, expected);
    }

    // =================================================================================================
    // Indexing
    // =================================================================================================

    /** Values along {@code dim} at the int64 positions in {@code index}, as {@code torch.gather}. */
    public NDArray gather(int dim, NDArray index) {
        int d = gatherScatterDim("gather", this, dim, index, null);
        NDArray out = newOutput(index.shape);
        if (!isEmpty(out)) backend().gather(this, d, index, out);
        return out;
    }

    /** A copy of this array with {@code src} added at the positions in {@code index} along {@code dim}, as {@code torch.scatter_add}. */
    public NDArray scatterAdd(int dim, NDArray index, NDArray src) {
        int d = gatherScatterDim("scatterAdd", this, dim, index, src);
        NDArray out = copy();
        if (!isEmpty(index)) backend().scatterAdd(out, d, index, src);
        return out;
    }

    /** The slices along {@code dim} at the positions in the 1-D int64 {@code index}, as {@code torch.index_select}. */
    public NDArray indexSelect(int dim, NDArray index) {
        int d = indexSelectDim(this, dim, index);
        int[] outShape = shape.clone();
        if (rank() > 0) outShape[d] = index.numel();
        NDArray out = newZeros(outShape);
        if (!isEmpty(out)) backend().indexSelect(this, d, index.rank() == 0 ? index.unsqueeze(0) : index, out);
        return out;
    }

    /** A copy of this array with slice {@code i} of {@code src} added at slice {@code index[i]} along {@code dim}, as {@code torch.index_add}. */
    public NDArray indexAdd(int dim, NDArray index, NDArray src) {
        int d = indexAddDim(this, dim, index, src);
        NDArray out = copy();
        if (!isEmpty(src)) backend().indexAdd(out, d, index, src);
        return out;
    }

    /**
     * True when {@code a} has no elements. Kernels are never called to write an empty array, nor to reduce
     * over an empty dim (the output is then already the sum's identity, the fresh zeros), so no backend has
     * to handle a size of 0 in its blocking, tiling and thread-splitting arithmetic.
     */
    private static boolean isEmpty(NDArray a) {
        return a.numel() == 0;
    }

    // =================================================================================================
    // Joining
    // =================================================================================================

    /** Arrays joined along an existing dim; all other sizes must match. */
    public static NDArray cat(int dim, NDArray... arrays) {
        if (arrays.length == 0) throw new IllegalArgumentException("cat: needs at least one array");
        NDArray first = arrays[0];
        int d = Shapes.dim("cat", dim, first.rank());
        if (first.rank() == 0) throw new IllegalArgumentException("cat: zero-dimensional arrays cannot be concatenated");
        int total = 0;
        for (NDArray a : arrays) {
            requireSameDevice("cat", first, a);
            requireSameDtype("cat", first, a);
            if (a.rank() != first.rank()) throw new IllegalArgumentException("cat: shapes " + Shapes.str(first.shape) + " and " + Shapes.str(a.shape) + " differ in rank");
            for (int k = 0; k < a.rank(); k++) {
                if (k != d && a.shape[k] != first.shape[k]) {
                    throw new IllegalArgumentException("cat: shapes " + Shapes.str(first.shape) + " and " + Shapes.str(a.shape) + " differ outside dim " + dim);
                }
            }
            total += a.shape[d];
        }
        int[] outShape = first.shape.clone();
        outShape[d] = total;
        NDArray out = first.newZeros(outShape);
        int at = 0;
        for (NDArray a : arrays) {
            out.narrow(d, at, a.shape[d]).assign(a);
            at += a.shape[d];
        }
        return out;
    }

    /** Arrays of equal shape joined along a new dim. */
    public static NDArray stack(int dim, NDArray... arrays) {
        if (arrays.length == 0) throw new IllegalArgumentException("stack: needs at least one array");
        int d = Shapes.dim("stack", dim, arrays[0].rank() + 1);
        NDArray[] lifted = new NDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            if (!Arrays.equals(arrays[i].shape, arrays[0].shape)) {
                throw new IllegalArgumentException("stack: shapes " + Shapes.str(arrays[0].shape) + " and " + Shapes.str(arrays[i].shape) + " differ");
            }
            lifted[i] = arrays[i].unsqueeze(d);
        }
        return cat(d, lifted);
    }

    // =================================================================================================
    // Checks and printing
    // =================================================================================================

    /** True when shapes match and every element satisfies {@code |a - b| <= atol + rtol·|b|} (NaNs never match). */
    public boolean allClose(NDArray other, double rtol, double atol) {
        if (!Arrays.equals(shape, other.shape)) return false;
        double[] a = toDoubleArray(), b = other.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) return false;
        }
        return true;
    }

    /** PyTorch-like text, e.g. {@code tensor([[1.0000, 2.0000], ...], dtype=float64)}; big arrays are summarised. */
    @Override
    public String toString() {
        return NDArrayFormatter.format(this);
    }
}
