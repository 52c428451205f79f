package io.jgrad.layers;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.spi.PoolParams;

/**
 * What {@link MaxPool2d} and {@link AvgPool2d} share: the window geometry (stride defaults to the kernel
 * size, as in PyTorch) and the input check. Output size per spatial dim: {@code (in + 2·padding - kernel) / stride + 1}.
 */
public abstract class Pooling2d extends Module {

    protected final PoolParams params;

    Pooling2d(int kernelSize, int stride, int padding) {
        this.params = PoolParams.of(kernelSize, stride, padding);
    }

    /** Checks the input is {@code [N, C, H, W]} with room for at least one window. */
    final void checkInput(Tensor input) {
        int minH = Math.max(1, params.kernelH() - 2 * params.padH()), minW = Math.max(1, params.kernelW() - 2 * params.padW());
        String expected = "[N, C, H, W] with H >= " + minH + " and W >= " + minW;
        requireRank(input, 4, expected);
        if (input.shape(2) < minH || input.shape(3) < minW) throw inputError(input, expected);
    }

    final String windowRepr() {
        return "kernel_size=" + params.kernelH() + ", stride=" + params.strideH() + ", padding=" + params.padH();
    }
}
