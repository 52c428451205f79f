package io.jgrad.kernels.cpu;

import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.ConvGeometry;
import io.jgrad.tensor.spi.HostStorage;

/**
 * Direct-loop 2-D convolution (NCHW, PyTorch's {@code conv2d}) and its two gradients. With
 * {@code Cg = C/groups} input and {@code Og = O/groups} output p.channels() per group, output channel
 * {@code o} belongs to group {@code g = o / Og} and reads input p.channels() {@code g*Cg .. g*Cg + Cg - 1}:
 *
 * <pre>
 * out[n, o, oh, ow] = bias[o] + Σ_{c < Cg, kh, kw} in[n, g*Cg + c, ih, iw] · w[o, c, kh, kw]
 *     where ih = oh*strideH - padH + kh*dilationH,  iw = ow*strideW - padW + kw*dilationW
 * </pre>
 *
 * and positions outside the input read as 0 (zero padding). Each kernel computes every element of its
 * result as one sum in double, written once, so no result needs zeroing first and float32 rounds once.
 */
final class ReferenceConvolution {
    private ReferenceConvolution() {
    }

    static void forward(NDArray input, NDArray weight, NDArray bias, ConvGeometry p, NDArray out) {
        HostStorage is = host(input), ws = host(weight), os = host(out);
        Layout il = Layout.of(input), wl = Layout.of(weight), ol = Layout.of(out);

        for (int n = 0; n < p.batch(); n++) {
            for (int o = 0; o < p.outChannels(); o++) {
                int firstChannel = (o / p.og()) * p.cg();
                double b = bias == null ? 0.0 : host(bias).get(bias.offset() + o * bias.strides()[0]);
                for (int oh = 0; oh < p.outH(); oh++) {
                    for (int ow = 0; ow < p.outW(); ow++) {
                        double sum = b;
                        for (int c = 0; c < p.cg(); c++) {
                            for (int kh = 0; kh < p.kH(); kh++) {
                                int ih = p.inputRow(oh, kh);
                                if (ih < 0 || ih >= p.height()) continue;
                                for (int kw = 0; kw < p.kW(); kw++) {
                                    int iw = p.inputColumn(ow, kw);
                                    if (iw < 0 || iw >= p.width()) continue;
                                    sum += is.get(il.at(n, firstChannel + c, ih, iw)) * ws.get(wl.at(o, c, kh, kw));
                                }
                            }
                        }
                        os.set(ol.at(n, o, oh, ow), sum);
                    }
                }
            }
        }
    }

    /**
     * {@code gradInput[n, ci, ih, iw] = Σ gradOut[n, o, oh, ow] · w[o, c, kh, kw]} over the output channels
     * {@code o} of ci's group and every {@code (oh, kh), (ow, kw)} that the forward formula maps onto
     * {@code (ih, iw)}: {@code oh = (ih + padH - kh*dilationH) / strideH} when that division is exact and
     * lands inside the output (likewise for w). This is the forward sum read backwards, one input cell at a
     * time, so each gradient element is a single double sum.
     */
    static void backwardInput(NDArray gradOut, NDArray weight, ConvGeometry p, NDArray gradInput) {
        HostStorage gs = host(gradOut), ws = host(weight), gis = host(gradInput);
        Layout gl = Layout.of(gradOut), wl = Layout.of(weight), gil = Layout.of(gradInput);

        for (int n = 0; n < p.batch(); n++) {
            for (int ci = 0; ci < p.channels(); ci++) {
                int group = ci / p.cg(), c = ci % p.cg();
                for (int ih = 0; ih < p.height(); ih++) {
                    for (int iw = 0; iw < p.width(); iw++) {
                        double sum = 0.0;
                        for (int o = group * p.og(); o < (group + 1) * p.og(); o++) {
                            for (int kh = 0; kh < p.kH(); kh++) {
                                int oh = outputIndex(ih + p.padH() - kh * p.dilationH(), p.strideH(), p.outH());
                                if (oh < 0) continue;
                                for (int kw = 0; kw < p.kW(); kw++) {
                                    int ow = outputIndex(iw + p.padW() - kw * p.dilationW(), p.strideW(), p.outW());
                                    if (ow < 0) continue;
                                    sum += gs.get(gl.at(n, o, oh, ow)) * ws.get(wl.at(o, c, kh, kw));
                                }
                            }
                        }
                        gis.set(gil.at(n, ci, ih, iw), sum);
                    }
                }
            }
        }
    }

    /** {@code gradWeight[o, c, kh, kw] = Σ_{n, oh, ow} gradOut[n, o, oh, ow] · in[n, g*Cg + c, ih, iw]}, with ih, iw as in the forward pass. */
    static void backwardWeight(NDArray input, NDArray gradOut, ConvGeometry p, NDArray gradWeight) {
        HostStorage is = host(input), gs = host(gradOut), gws = host(gradWeight);
        Layout il = Layout.of(input), gl = Layout.of(gradOut), gwl = Layout.of(gradWeight);

        for (int o = 0; o < p.outChannels(); o++) {
            int firstChannel = (o / p.og()) * p.cg();
            for (int c = 0; c < p.cg(); c++) {
                for (int kh = 0; kh < p.kH(); kh++) {
                    for (int kw = 0; kw < p.kW(); kw++) {
                        double sum = 0.0;
                        for (int n = 0; n < p.batch(); n++) {
                            for (int oh = 0; oh < p.outH(); oh++) {
                                int ih = p.inputRow(oh, kh);
                                if (ih < 0 || ih >= p.height()) continue;
                                for (int ow = 0; ow < p.outW(); ow++) {
                                    int iw = p.inputColumn(ow, kw);
                                    if (iw < 0 || iw >= p.width()) continue;
                                    sum += gs.get(gl.at(n, o, oh, ow)) * is.get(il.at(n, firstChannel + c, ih, iw));
                                }
                            }
                        }
                        gws.set(gwl.at(o, c, kh, kw), sum);
                    }
                }
            }
        }
    }

    /**
     * The output index whose window reaches the input cell at {@code shifted = in + pad - k*dilation}
     * through kernel tap k, or -1 when none does: {@code shifted} must be a non-negative multiple of the
     * stride, and the quotient must lie inside the output.
     */
    private static int outputIndex(int shifted, int stride, int outSize) {
        if (shifted < 0 || shifted % stride != 0) return -1;
        int out = shifted / stride;
        return out < outSize ? out : -1;
    }

    private static HostStorage host(NDArray a) {
        return ReferenceBackend.host(a);
    }
}
