package io.jgrad.layers;

import io.jgrad.autograd.Tensor;

/**
 * ResNet's basic block (He et al. 2016), as torchvision's {@code BasicBlock}:
 * <pre>
 *   out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
 * </pre>
 * with 3x3 convolutions without bias (batch norm's shift makes one redundant), {@code conv1} carrying the
 * stride. The shortcut is the identity when the shape is kept, otherwise a 1x1 convolution with the same
 * stride and a batch norm ({@code downsample}), so that the two branches can be added.
 */
public final class ResidualBlock extends Module {

    private final int inChannels;
    public final Conv2d conv1;
    public final BatchNorm2d bn1;
    public final ReLU relu;
    public final Conv2d conv2;
    public final BatchNorm2d bn2;
    public final Sequential downsample;

    public ResidualBlock(int inChannels, int outChannels) {
        this(inChannels, outChannels, 1);
    }

    public ResidualBlock(int inChannels, int outChannels, int stride) {
        this.inChannels = inChannels;
        this.conv1 = registerModule("conv1", new Conv2d(inChannels, outChannels, 3, stride, 1, 1, 1, false));
        this.bn1 = registerModule("bn1", new BatchNorm2d(outChannels));
        this.relu = registerModule("relu", new ReLU());
        this.conv2 = registerModule("conv2", new Conv2d(outChannels, outChannels, 3, 1, 1, 1, 1, false));
        this.bn2 = registerModule("bn2", new BatchNorm2d(outChannels));
        boolean project = stride != 1 || inChannels != outChannels;
        this.downsample = project
                ? registerModule("downsample", new Sequential(new Conv2d(inChannels, outChannels, 1, stride, 0, 1, 1, false), new BatchNorm2d(outChannels)))
                : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        String expected = "[N, " + inChannels + ", H, W]";
        requireRank(x, 4, expected);
        requireSize(x, 1, inChannels, expected);
        Tensor out = relu.forward(bn1.forward(conv1.forward(x)));
        out = bn2.forward(conv2.forward(out));
        Tensor shortcut = downsample == null ? x : downsample.forward(x);
        return relu.forward(out.add(shortcut));
    }
}
