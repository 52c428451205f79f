package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/** The maximum of each {@code kernelSize²} window of an {@code [N, C, H, W]} input; padding counts as -∞. */
public final class MaxPool2d extends Pooling2d {

    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize, 0);
    }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        super(kernelSize, stride, padding);
    }

    @Override
    public Tensor forward(Tensor input) {
        checkInput(input);
        return input.maxPool2d(params);
    }

    @Override
    protected String extraRepr() {
        return windowRepr() + ", dilation=1, ceil_mode=false";
    }
}
