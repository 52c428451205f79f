package io.jgrad.spark;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;

import java.io.Serializable;

/**
 * A host copy of one array that Java serialisation can carry to executors and back: float arrays as
 * {@code float[]}, integer arrays (an optimiser's step count, batch norm's batch counter) as {@code long[]}.
 * Models train in float32; other float dtypes are refused, since averaging them in float32 would change them.
 */
record TensorSnapshot(int[] shape, float[] floats, long[] integers) implements Serializable {

    static TensorSnapshot of(NDArray a, String what) {
        DType dtype = a.dtype();
        if (dtype == DType.FLOAT32) return new TensorSnapshot(a.shape(), a.toFloatArray(), null);
        if (dtype == DType.INT64) return new TensorSnapshot(a.shape(), null, a.toLongArray());
        throw new IllegalArgumentException("SparkTrainer: " + what + " has dtype " + dtype + "; data-parallel training carries float32 "
                + "values and int64 counters only");
    }

    boolean isFloat() {
        return floats != null;
    }

    NDArray toNDArray() {
        if (isFloat()) return NDArray.of(floats, shape);
        return shape.length == 0 ? NDArray.scalar(DType.INT64, integers[0]) : NDArray.of(integers, shape);
    }
}
