package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/**
 * The mean of each {@code kernelSize²} window of an {@code [N, C, H, W]} input; padded cells count as zeros in
 * the divisor ({@code count_include_pad=True}, PyTorch's default).
 */
public final class AvgPool2d extends Pooling2d {

    public AvgPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public AvgPool2d(int kernelSize, int stride, int padding) {
        super(kernelSize, stride, padding);
    }

    @Override
    public Tensor forward(Tensor input) {
        checkInput(input);
        return input.avgPool2d(params);
    }

    @Override
    protected String extraRepr() {
        return windowRepr();
    }
}
