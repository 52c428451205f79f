package io.jgrad.cli.parity;

import io.jgrad.autograd.Tensor;
import io.jgrad.tensor.spi.ConvParams;
import io.jgrad.tensor.spi.PoolParams;

import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The core engine's fixture ops (elementwise, reductions, matmul, linear, softmax family, convolution,
 * pooling, embedding), each written with the public {@link Tensor} API exactly as a user would.
 */
final class CoreOps {

    private static Map<String, OpCase> CASES;

    static void register(Map<String, OpCase> cases) {
        CASES = cases;
        binary("add", Tensor::add);
        binary("sub", Tensor::sub);
        binary("mul", Tensor::mul);
        binary("div", Tensor::div);
        unary("exp", Tensor::exp);
        unary("log", Tensor::log);
        unary("sqrt", Tensor::sqrt);
        unary("tanh", Tensor::tanh);
        unary("sigmoid", Tensor::sigmoid);
        unary("relu", Tensor::relu);
        unary("neg", Tensor::neg);
        unary("abs", Tensor::abs);
        CASES.put("pow", (in, a) -> {
            a.requireOnly("pow", Set.of("exponent"));
            return out(in.get("x").pow(a.number("exponent", Double.NaN)));
        });
        CASES.put("gelu", (in, a) -> {
            a.requireOnly("gelu", Set.of("approximate"));
            String approximate = a.string("approximate", "none");
            if (!approximate.equals("none") && !approximate.equals("tanh")) throw new UnsupportedCase("gelu: approximate='" + approximate + "'");
            return out(in.get("x").gelu(approximate.equals("tanh")));
        });
        CASES.put("leaky_relu", (in, a) -> {
            a.requireOnly("leaky_relu", Set.of("negative_slope", "inplace"));
            return out(in.get("x").leakyRelu(a.number("negative_slope", 0.01)));
        });
        CASES.put("softmax", (in, a) -> out(in.get("x").softmax(a.integer("dim", -1))));
        CASES.put("log_softmax", (in, a) -> out(in.get("x").logSoftmax(a.integer("dim", -1))));
        CASES.put("sum", (in, a) -> out(in.get("x").sum(a.dims("dim"), a.bool("keepdim", false))));
        CASES.put("mean", (in, a) -> out(in.get("x").mean(a.dims("dim"), a.bool("keepdim", false))));
        CASES.put("amax", (in, a) -> out(in.get("x").amax(a.dims("dim"), a.bool("keepdim", false))));
        CASES.put("amin", (in, a) -> out(in.get("x").amin(a.dims("dim"), a.bool("keepdim", false))));
        binary("matmul", Tensor::matmul);
        CASES.put("linear", (in, a) -> out(in.get("input").linear(in.get("weight"), in.get("bias"))));
        CASES.put("conv2d", (in, a) -> {
            a.requireOnly("conv2d", Set.of("stride", "padding", "dilation", "groups"));
            int[] s = a.ints("stride", 2, 1), p = paddingOf(a, "conv2d", 2), d = a.ints("dilation", 2, 1);
            ConvParams params = new ConvParams(s[0], s[1], p[0], p[1], d[0], d[1], a.integer("groups", 1));
            return out(in.get("input").conv2d(in.get("weight"), in.get("bias"), params));
        });
        CASES.put("conv1d", (in, a) -> {
            a.requireOnly("conv1d", Set.of("stride", "padding", "dilation", "groups"));
            return out(in.get("input").conv1d(in.get("weight"), in.get("bias"), a.ints("stride", 1, 1)[0], paddingOf(a, "conv1d", 1)[0],
                    a.ints("dilation", 1, 1)[0], a.integer("groups", 1)));
        });
        CASES.put("max_pool2d", (in, a) -> {
            a.requireOnly("max_pool2d", Set.of("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"));
            a.requireDefault("max_pool2d", "ceil_mode", false);
            if (a.has("dilation") && (a.ints("dilation", 2, 1)[0] != 1 || a.ints("dilation", 2, 1)[1] != 1)) {
                throw new UnsupportedCase("max_pool2d: dilation other than 1 is not supported");
            }
            return out(in.get("input").maxPool2d(poolParams(a)));
        });
        CASES.put("avg_pool2d", (in, a) -> {
            a.requireOnly("avg_pool2d", Set.of("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"));
            a.requireDefault("avg_pool2d", "ceil_mode", false);
            a.requireDefault("avg_pool2d", "count_include_pad", true);
            if (a.has("divisor_override")) throw new UnsupportedCase("avg_pool2d: divisor_override is not supported");
            return out(in.get("input").avgPool2d(poolParams(a)));
        });
        CASES.put("embedding", (in, a) -> {
            a.requireOnly("embedding", Set.of());
            return out(in.get("weight").embedding(in.get("indices").data()));
        });
    }

    private CoreOps() {
    }

    private static void binary(String op, java.util.function.BinaryOperator<Tensor> f) {
        CASES.put(op, (in, a) -> {
            a.requireOnly(op, Set.of());
            return out(f.apply(in.get("x"), in.get("y")));
        });
    }

    private static void unary(String op, UnaryOperator<Tensor> f) {
        CASES.put(op, (in, a) -> {
            a.requireOnly(op, Set.of());
            return out(f.apply(in.get("x")));
        });
    }

    private static Tensor[] out(Tensor... outputs) {
        return outputs;
    }

    /** PyTorch's string paddings ('valid', 'same') are not supported; numbers are. */
    private static int[] paddingOf(Attrs a, String op, int n) {
        if (a.has("padding") && a.string("padding", "").matches("[a-z]+")) {
            throw new UnsupportedCase(op + ": padding='" + a.string("padding", "") + "' is not supported");
        }
        return a.ints("padding", n, 0);
    }

    /** PyTorch's default stride is the kernel size. */
    private static PoolParams poolParams(Attrs a) {
        int[] k = a.ints("kernel_size", 2, -1);
        int[] s = a.ints("stride", 2, -1);
        if (s[0] == -1) s = k;
        int[] p = a.ints("padding", 2, 0);
        return new PoolParams(k[0], k[1], s[0], s[1], p[0], p[1]);
    }
}
