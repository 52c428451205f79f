package io.jgrad.tensor.spi;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;

/**
 * Storage in Java heap arrays: {@code float[]}, {@code double[]} or {@code long[]}. The generic accessors
 * ({@link #get}, {@link #set}) go through {@code double}, which is exact for float32 and float64 and for
 * int64 values up to 2^53; code that needs full int64 range uses {@link #getLong}/{@link #setLong}. Fast
 * kernels reach the arrays directly through the subclasses.
 */
public abstract sealed class HostStorage extends Storage
        permits HostStorage.Float32, HostStorage.Float64, HostStorage.Int64 {

    protected HostStorage(DType dtype, int size) {
        super(dtype, size);
    }

    public static HostStorage allocate(DType dtype, int size) {
        return switch (dtype) {
            case FLOAT32 -> new Float32(new float[size]);
            case FLOAT64 -> new Float64(new double[size]);
            case INT64 -> new Int64(new long[size]);
        };
    }

    @Override
    public final Device device() {
        return Device.CPU;
    }

    public abstract double get(int index);

    public abstract void set(int index, double value);

    public abstract long getLong(int index);

    public abstract void setLong(int index, long value);

    /** A copy of the whole block. */
    public abstract HostStorage copy();

    /** float32 elements in a {@code float[]}. */
    public static final class Float32 extends HostStorage {
        public final float[] data;

        public Float32(float[] data) {
            super(DType.FLOAT32, data.length);
            this.data = data;
        }

        @Override public double get(int i) { return data[i]; }
        @Override public void set(int i, double v) { data[i] = (float) v; }
        @Override public long getLong(int i) { return (long) data[i]; }
        @Override public void setLong(int i, long v) { data[i] = v; }
        @Override public HostStorage copy() { return new Float32(data.clone()); }
    }

    /** float64 elements in a {@code double[]}. */
    public static final class Float64 extends HostStorage {
        public final double[] data;

        public Float64(double[] data) {
            super(DType.FLOAT64, data.length);
            this.data = data;
        }

        @Override public double get(int i) { return data[i]; }
        @Override public void set(int i, double v) { data[i] = v; }
        @Override public long getLong(int i) { return (long) data[i]; }
        @Override public void setLong(int i, long v) { data[i] = v; }
        @Override public HostStorage copy() { return new Float64(data.clone()); }
    }

    /** int64 elements in a {@code long[]}; values written as double are truncated toward zero. */
    public static final class Int64 extends HostStorage {
        public final long[] data;

        public Int64(long[] data) {
            super(DType.INT64, data.length);
            this.data = data;
        }

        @Override public double get(int i) { return data[i]; }
        @Override public void set(int i, double v) { data[i] = (long) v; }
        @Override public long getLong(int i) { return data[i]; }
        @Override public void setLong(int i, long v) { data[i] = v; }
        @Override public HostStorage copy() { return new Int64(data.clone()); }
    }
}
