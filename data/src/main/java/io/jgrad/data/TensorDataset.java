package io.jgrad.data;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;

import java.util.Arrays;

/**
 * Examples held in memory: inputs {@code [N, ...]} as float32 and labels {@code [N]} as int64, as
 * {@code torch.utils.data.TensorDataset}. Images are {@code [N, C, H, W]} with pixel values / 255.
 */
public final class TensorDataset implements Dataset {

    private final float[] inputs;
    private final long[] labels;
    private final int[] exampleShape;
    private final int exampleSize;

    /** Copies {@code inputs} {@code [N, ...]} (any float dtype) and {@code labels} (int64 {@code [N]}). */
    public TensorDataset(NDArray inputs, NDArray labels) {
        this(inputs.toFloatArray(), checkLabels(inputs, labels).toLongArray(), inputs.shape());
    }

    private static NDArray checkLabels(NDArray inputs, NDArray labels) {
        if (inputs.rank() < 1 || labels.rank() != 1 || labels.dtype() != DType.INT64 || labels.shape(0) != inputs.shape(0)) {
            throw new IllegalArgumentException("TensorDataset: expected inputs [N, ...] and int64 labels [N], got inputs "
                    + Shapes.str(inputs.shape()) + " and " + labels.dtype() + " labels " + Shapes.str(labels.shape()));
        }
        return labels;
    }

    /** Takes the arrays without copying; {@code shape} is {@code [N, ...]}. For the readers in this package. */
    TensorDataset(float[] inputs, long[] labels, int[] shape) {
        if (shape.length < 1 || shape[0] != labels.length || Shapes.numel("TensorDataset", shape) != inputs.length) {
            throw new IllegalArgumentException("TensorDataset: " + inputs.length + " input values and " + labels.length
                    + " labels do not fit shape " + Shapes.str(shape));
        }
        this.inputs = inputs;
        this.labels = labels;
        this.exampleShape = Arrays.copyOfRange(shape, 1, shape.length);
        this.exampleSize = Shapes.numel(exampleShape);
    }

    @Override
    public int size() {
        return labels.length;
    }

    /** A copy of example {@code index} as a CPU array of shape {@link #exampleShape()}. */
    @Override
    public Example get(int index) {
        if (index < 0 || index >= labels.length) {
            throw new IndexOutOfBoundsException("TensorDataset: index " + index + " out of range for " + labels.length + " examples");
        }
        float[] x = Arrays.copyOfRange(inputs, index * exampleSize, (index + 1) * exampleSize);
        return new Example(HostArrays.floats(x, exampleShape), labels[index]);
    }

    /** Every input as one array {@code [N, ...]} (a copy): to put a whole dataset on a device at once. */
    public NDArray inputArray() {
        int[] shape = new int[exampleShape.length + 1];
        shape[0] = labels.length;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        return NDArray.of(inputs, shape);
    }

    /** Every label as one int64 array {@code [N]} (a copy). */
    public NDArray labelArray() {
        return NDArray.of(labels, labels.length);
    }

    /** The shape of one input, e.g. {@code [1, 28, 28]}. */
    public int[] exampleShape() {
        return exampleShape.clone();
    }

    /** The labels, not copied: for checks inside this package. */
    long[] labels() {
        return labels;
    }

    /** One more than the largest label (0 when empty): the class count of a dataset whose labels are 0..K-1. */
    public int numClasses() {
        long max = -1;
        for (long l : labels) max = Math.max(max, l);
        return (int) (max + 1);
    }
}
