package io.jgrad.data;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.Shapes;
import io.jgrad.tensor.spi.HostStorage;

/**
 * CPU arrays over Java arrays without a copy. Data stays on the host, as a PyTorch DataLoader's tensors
 * do: the training loop moves each batch to its device ({@code batch.inputs().to(device)}), so datasets do
 * not upload every example one by one to whatever device is the default.
 */
public final class HostArrays {

    private HostArrays() {
    }

    /** A float32 CPU array over {@code data} (not copied: the caller hands it over). */
    public static NDArray floats(float[] data, int... shape) {
        return NDArray.view(new HostStorage.Float32(data), shape, Shapes.contiguousStrides(shape), 0);
    }

    /** An int64 CPU array over {@code data} (not copied: the caller hands it over). */
    public static NDArray longs(long[] data, int... shape) {
        return NDArray.view(new HostStorage.Int64(data), shape, Shapes.contiguousStrides(shape), 0);
    }
}
