package io.jgrad.kernels.opencl;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.KernelLayout;
import io.jgrad.tensor.spi.KernelPlans;
import io.jgrad.tensor.spi.PoolGeometry;

/**
 * Max and average pooling (NCHW, floor mode) and their gradients on the OpenCL device, following the
 * reference backend's scan orders (ties, NaNs, sums). The max gradient runs one work-item per plane when it has
 * only the indices, one per input cell when it has the geometry too; either way overlapping windows add up in a
 * fixed order without atomics.
 */
final class ClPooling {
    private ClPooling() {
    }

    /** Max pooling; {@code indices} (int64) receives the flat position {@code h * W + w} of each maximum in its plane. */
    static void maxForward(ClRuntime rt, NDArray input, PoolGeometry p, NDArray out, NDArray indices) {
        rt.launch(kernel(rt, input, "max_pool_forward"), out.numel(),
                ClStorage.of(input), ClStorage.of(out), ClStorage.of(indices),
                KernelLayout.of(input), KernelLayout.of(out), KernelLayout.of(indices), KernelPlans.poolStruct(p));
    }

    /** Routes each output gradient to the input position in {@code indices}; {@code gradInput} is overwritten. */
    static void maxBackward(ClRuntime rt, NDArray gradOut, NDArray indices, NDArray gradInput) {
        int[] in = gradInput.shape();
        rt.launch(kernel(rt, gradOut, "max_pool_backward"), (long) in[0] * in[1],
                ClStorage.of(gradOut), ClStorage.of(indices), ClStorage.of(gradInput),
                KernelLayout.of(gradOut), KernelLayout.of(indices), KernelLayout.of(gradInput), KernelPlans.poolPlanesStruct(in, gradOut.shape()));
    }

    /**
     * The gradient by input cell for indices made with geometry {@code p}, masked by {@code reluOutput > 0} where
     * that is given (see {@code Backend.maxPool2dBackward} with a geometry); {@code gradInput} is overwritten.
     */
    static void maxBackwardCells(ClRuntime rt, NDArray gradOut, NDArray indices, PoolGeometry p, NDArray reluOutput, NDArray gradInput) {
        NDArray mask = reluOutput == null ? gradOut : reluOutput;   // read only when masked
        rt.launch(kernel(rt, gradOut, "max_pool_backward_cells"), gradInput.numel(),
                ClStorage.of(gradOut), ClStorage.of(indices), ClStorage.of(mask), ClStorage.of(gradInput),
                KernelLayout.of(gradOut), KernelLayout.of(indices), KernelLayout.of(mask), KernelLayout.of(gradInput),
                KernelPlans.poolStruct(p), reluOutput == null ? 0 : 1);
    }

    /** Average pooling; padded cells count in the divisor. */
    static void avgForward(ClRuntime rt, NDArray input, PoolGeometry p, NDArray out) {
        rt.launch(kernel(rt, input, "avg_pool_forward"), out.numel(),
                ClStorage.of(input), ClStorage.of(out), KernelLayout.of(input), KernelLayout.of(out), KernelPlans.poolStruct(p));
    }

    /** Gradient of average pooling; {@code gradInput} is overwritten. */
    static void avgBackward(ClRuntime rt, NDArray gradOut, PoolGeometry p, NDArray gradInput) {
        rt.launch(kernel(rt, gradOut, "avg_pool_backward"), gradInput.numel(),
                ClStorage.of(gradOut), ClStorage.of(gradInput), KernelLayout.of(gradOut), KernelLayout.of(gradInput),
                KernelPlans.poolStruct(p));
    }

    private static org.jocl.cl_kernel kernel(ClRuntime rt, NDArray a, String name) {
        return rt.kernel("pool.cl", name, ClRuntime.typeDefines(a.dtype()));
    }
}
