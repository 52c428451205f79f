package io.jgrad.autograd;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static io.jgrad.autograd.Float64Leaves.constant;
import static io.jgrad.autograd.Float64Leaves.of;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GradCheck} in float64 with PyTorch's tolerances for every differentiable op reached through its
 * {@link Tensor} method, except the convolution, pooling and indexing ops (see
 * {@link KernelOpsGradCheckTest}). Inputs are built so that no element sits at a point where the op is not
 * differentiable. {@link #everyOpOutsideKernelOpsIsChecked()} fails when an op is added to {@link Op}
 * without a case here.
 */
class OpGradCheckTest {

    private static GradCheckCase check(String name, Function<Tensor[], Tensor> f, Function<Float64Leaves, Tensor[]> inputs) {
        return GradCheckCase.of(name, f, inputs);
    }

    static List<GradCheckCase> cases() {
        List<GradCheckCase> c = new ArrayList<>();

        // ---- binary elementwise, with broadcasting: [3,1,4] against [2,4] gives [3,2,4] ----
        c.add(check("add [3,1,4] + [2,4]", in -> in[0].add(in[1]), r -> of(r.normal(3, 1, 4), r.normal(2, 4))));
        c.add(check("add [4] + [3,4] (leading dim added)", in -> in[0].add(in[1]), r -> of(r.normal(4), r.normal(3, 4))));
        c.add(check("add [] + [2,3] (0-d)", in -> in[0].add(in[1]), r -> of(r.normal(), r.normal(2, 3))));
        c.add(check("sub [3,1,4] - [2,4]", in -> in[0].sub(in[1]), r -> of(r.normal(3, 1, 4), r.normal(2, 4))));
        c.add(check("sub [2,4] - [3,1,4]", in -> in[0].sub(in[1]), r -> of(r.normal(2, 4), r.normal(3, 1, 4))));
        c.add(check("mul [3,1,4] * [2,4]", in -> in[0].mul(in[1]), r -> of(r.normal(3, 1, 4), r.normal(2, 4))));
        c.add(check("mul [2,3] * [2,3]", in -> in[0].mul(in[1]), r -> of(r.normal(2, 3), r.normal(2, 3))));
        c.add(check("mul x * x (same tensor twice)", in -> in[0].mul(in[0]), r -> of(r.normal(2, 3))));
        c.add(check("div [3,1,4] / [2,4]", in -> in[0].div(in[1]), r -> of(r.normal(3, 1, 4), r.awayFromZero(2, 4))));
        c.add(check("div [2,4] / [3,1,4]", in -> in[0].div(in[1]), r -> of(r.normal(2, 4), r.awayFromZero(3, 1, 4))));
        c.add(check("pow [3,1,4] ^ [2,4] (positive base)", in -> in[0].pow(in[1]), r -> of(r.positive(3, 1, 4), r.normal(2, 4))));
        c.add(check("pow [2,4] ^ [3,1,4] (positive base)", in -> in[0].pow(in[1]), r -> of(r.positive(2, 4), r.normal(3, 1, 4))));
        c.add(check("maximum [3,1,4] with [2,4]", in -> in[0].maximum(in[1]), r -> of(r.normal(3, 1, 4), r.normal(2, 4))));
        c.add(check("minimum [3,1,4] with [2,4]", in -> in[0].minimum(in[1]), r -> of(r.normal(3, 1, 4), r.normal(2, 4))));
        c.add(check("where cond[2,4] ? [3,1,4] : [4]",
                in -> Tensor.where(NDArray.of(new double[] {1, 0, 0, 1, 0, 1, 1, 0}, 2, 4), in[0], in[1]),
                r -> of(r.normal(3, 1, 4), r.normal(4))));
        c.add(check("where cond[3,1,1] ? [2,4] : [3,2,4]",
                in -> Tensor.where(NDArray.of(new double[] {1, 0, 1}, 3, 1, 1), in[0], in[1]),
                r -> of(r.normal(2, 4), r.normal(3, 2, 4))));

        // ---- with a scalar ----
        c.add(check("add(double)", in -> in[0].add(2.5), r -> of(r.normal(2, 3))));
        c.add(check("sub(double)", in -> in[0].sub(2.5), r -> of(r.normal(2, 3))));
        c.add(check("mul(double)", in -> in[0].mul(-1.5), r -> of(r.normal(2, 3))));
        c.add(check("div(double)", in -> in[0].div(4.0), r -> of(r.normal(2, 3))));
        c.add(check("rsub(double)", in -> in[0].rsub(3.0), r -> of(r.normal(2, 3))));

        // ---- unary elementwise ----
        c.add(check("neg", in -> in[0].neg(), r -> of(r.normal(2, 3))));
        c.add(check("abs (away from 0)", in -> in[0].abs(), r -> of(r.awayFromZero(3, 4))));
        c.add(check("exp", in -> in[0].exp(), r -> of(r.normal(2, 3))));
        c.add(check("log (positive)", in -> in[0].log(), r -> of(r.positive(2, 3))));
        c.add(check("sqrt (positive)", in -> in[0].sqrt(), r -> of(r.positive(2, 3))));
        c.add(check("tanh", in -> in[0].tanh(), r -> of(r.normal(2, 3))));
        c.add(check("sigmoid", in -> in[0].sigmoid(), r -> of(r.uniform(-6, 6, 2, 5))));
        c.add(check("relu (away from 0)", in -> in[0].relu(), r -> of(r.awayFromZero(3, 4))));
        c.add(check("gelu exact", in -> in[0].gelu(), r -> of(r.uniform(-4, 4, 2, 5))));
        c.add(check("gelu tanh approximation", in -> in[0].gelu(true), r -> of(r.uniform(-4, 4, 2, 5))));
        c.add(check("leakyRelu 0.1 (away from 0)", in -> in[0].leakyRelu(0.1), r -> of(r.awayFromZero(3, 4))));
        c.add(check("leakyRelu -0.5 (away from 0)", in -> in[0].leakyRelu(-0.5), r -> of(r.awayFromZero(3, 4))));
        c.add(check("pow(2)", in -> in[0].pow(2), r -> of(r.normal(2, 3))));
        c.add(check("pow(3)", in -> in[0].pow(3), r -> of(r.normal(2, 3))));
        c.add(check("square", in -> in[0].square(), r -> of(r.normal(2, 3))));
        c.add(check("pow(0.5) (positive)", in -> in[0].pow(0.5), r -> of(r.positive(2, 3))));
        c.add(check("pow(2.7) (positive)", in -> in[0].pow(2.7), r -> of(r.positive(2, 3))));
        c.add(check("pow(-1.5) (positive)", in -> in[0].pow(-1.5), r -> of(r.positive(2, 3))));
        c.add(check("pow(-2) (away from 0)", in -> in[0].pow(-2), r -> of(r.awayFromZero(2, 3))));
        c.add(check("pow(1)", in -> in[0].pow(1), r -> of(r.normal(2, 3))));
        c.add(check("pow(0)", in -> in[0].pow(0), r -> of(r.normal(2, 3))));
        // values chosen at least 0.05 from the bounds -0.5 and 0.5
        c.add(check("clamp(-0.5, 0.5)", in -> in[0].clamp(-0.5, 0.5),
                r -> of(Float64Leaves.leaf(new double[] {-1.3, -0.7, -0.45, -0.2, 0.0, 0.1, 0.3, 0.45, 0.55, 0.8, 1.5, -0.55}, 3, 4))));
        c.add(check("clamp(-inf, 0.5)", in -> in[0].clamp(Double.NEGATIVE_INFINITY, 0.5),
                r -> of(Float64Leaves.leaf(new double[] {-3, -0.7, 0.2, 0.45, 0.6, 2}, 2, 3))));

        // ---- reductions ----
        c.add(check("sum all", in -> in[0].sum(), r -> of(r.normal(2, 3, 4))));
        for (int d : new int[] {0, 1, 2, -1}) {
            int dim = d;
            c.add(check("sum dim " + dim, in -> in[0].sum(dim), r -> of(r.normal(2, 3, 4))));
            c.add(check("sum dim " + dim + " keepdim", in -> in[0].sum(dim, true), r -> of(r.normal(2, 3, 4))));
            c.add(check("mean dim " + dim, in -> in[0].mean(dim), r -> of(r.normal(2, 3, 4))));
            c.add(check("mean dim " + dim + " keepdim", in -> in[0].mean(dim, true), r -> of(r.normal(2, 3, 4))));
            c.add(check("amax dim " + dim, in -> in[0].amax(dim, false), r -> of(r.distinct(2, 3, 4))));
            c.add(check("amax dim " + dim + " keepdim", in -> in[0].amax(dim, true), r -> of(r.distinct(2, 3, 4))));
            c.add(check("amin dim " + dim, in -> in[0].amin(dim, false), r -> of(r.distinct(2, 3, 4))));
            c.add(check("amin dim " + dim + " keepdim", in -> in[0].amin(dim, true), r -> of(r.distinct(2, 3, 4))));
        }
        c.add(check("sum dims {0,2}", in -> in[0].sum(new int[] {0, 2}, false), r -> of(r.normal(2, 3, 4))));
        c.add(check("sum dims {2,0} keepdim", in -> in[0].sum(new int[] {2, 0}, true), r -> of(r.normal(2, 3, 4))));
        c.add(check("sum of 0-d", in -> in[0].sum(), r -> of(r.normal())));
        c.add(check("mean all", in -> in[0].mean(), r -> of(r.normal(2, 3, 4))));
        c.add(check("mean dims {0,-1} keepdim", in -> in[0].mean(new int[] {0, -1}, true), r -> of(r.normal(2, 3, 4))));
        c.add(check("amax all", in -> in[0].amax(new int[0], false), r -> of(r.distinct(2, 3, 4))));
        c.add(check("amax dims {0,2}", in -> in[0].amax(new int[] {0, 2}, false), r -> of(r.distinct(2, 3, 4))));
        c.add(check("amin all keepdim", in -> in[0].amin(new int[0], true), r -> of(r.distinct(2, 3, 4))));
        c.add(check("amin dims {1,2} keepdim", in -> in[0].amin(new int[] {1, 2}, true), r -> of(r.distinct(2, 3, 4))));
        c.add(check("var all unbiased", in -> in[0].var(null, 1, false), r -> of(r.normal(2, 3, 4))));
        c.add(check("var dim 1 unbiased", in -> in[0].var(new int[] {1}, 1, false), r -> of(r.normal(2, 3, 4))));
        c.add(check("var dim -1 population keepdim", in -> in[0].var(new int[] {-1}, 0, true), r -> of(r.normal(2, 3, 4))));
        c.add(check("var dims {0,2} unbiased", in -> in[0].var(new int[] {0, 2}, 1, false), r -> of(r.normal(2, 3, 4))));

        // ---- matmul (torch.matmul rules) and linear ----
        c.add(check("matmul 1-D . 1-D", in -> in[0].matmul(in[1]), r -> of(r.normal(4), r.normal(4))));
        c.add(check("matmul 1-D . 2-D", in -> in[0].matmul(in[1]), r -> of(r.normal(4), r.normal(4, 3))));
        c.add(check("matmul 2-D . 1-D", in -> in[0].matmul(in[1]), r -> of(r.normal(3, 4), r.normal(4))));
        c.add(check("matmul 2-D . 2-D", in -> in[0].matmul(in[1]), r -> of(r.normal(3, 4), r.normal(4, 2))));
        c.add(check("matmul 1-D . 3-D", in -> in[0].matmul(in[1]), r -> of(r.normal(4), r.normal(2, 4, 3))));
        c.add(check("matmul 3-D . 1-D", in -> in[0].matmul(in[1]), r -> of(r.normal(2, 3, 4), r.normal(4))));
        c.add(check("matmul batched broadcast [2,1,3,4] x [5,4,2]", in -> in[0].matmul(in[1]), r -> of(r.normal(2, 1, 3, 4), r.normal(5, 4, 2))));
        c.add(check("matmul batched [2,3,4] x [4,2] (matrix broadcast)", in -> in[0].matmul(in[1]), r -> of(r.normal(2, 3, 4), r.normal(4, 2))));
        c.add(check("matmul transposed views aᵀ . bᵀ", in -> in[0].transpose(0, 1).matmul(in[1].transpose(0, 1)),
                r -> of(r.normal(4, 3), r.normal(2, 4))));
        c.add(check("matmul batched with transposed last dims", in -> in[0].matmul(in[1].transpose(-1, -2)),
                r -> of(r.normal(2, 3, 4), r.normal(2, 5, 4))));
        // A transposed matrix gets its gradient as the transpose of the product in its own layout: with a batch beside it too.
        c.add(check("matmul batched [2,3,4] x transposed matrix [5,4]ᵀ", in -> in[0].matmul(in[1].transpose(0, 1)),
                r -> of(r.normal(2, 3, 4), r.normal(5, 4))));
        c.add(check("matmul transposed matrix [4,3]ᵀ x batched [2,4,5]", in -> in[0].transpose(0, 1).matmul(in[1]),
                r -> of(r.normal(4, 3), r.normal(2, 4, 5))));
        c.add(check("linear with bias [5,3] W[4,3] b[4]", in -> in[0].linear(in[1], in[2]), r -> of(r.normal(5, 3), r.normal(4, 3), r.normal(4))));
        c.add(check("linear without bias", in -> in[0].linear(in[1], null), r -> of(r.normal(5, 3), r.normal(4, 3))));
        c.add(check("linear 1-D input with bias", in -> in[0].linear(in[1], in[2]), r -> of(r.normal(3), r.normal(4, 3), r.normal(4))));
        c.add(check("linear 3-D input with bias", in -> in[0].linear(in[1], in[2]), r -> of(r.normal(2, 2, 3), r.normal(4, 3), r.normal(4))));

        // ---- layer normalisation: input, weight and bias, each optional parameter absent, two trailing dims, a view ----
        int[] four = {4}, threeFour = {3, 4};
        c.add(check("layerNorm [2,3,4] over [4] with weight and bias", in -> in[0].layerNorm(four, in[1], in[2], 1e-5),
                r -> of(r.normal(2, 3, 4), r.normal(4), r.normal(4))));
        c.add(check("layerNorm over [3,4] with weight and bias", in -> in[0].layerNorm(threeFour, in[1], in[2], 1e-5),
                r -> of(r.normal(2, 3, 4), r.normal(3, 4), r.normal(3, 4))));
        c.add(check("layerNorm weight only", in -> in[0].layerNorm(four, in[1], null, 1e-5), r -> of(r.normal(3, 4), r.normal(4))));
        c.add(check("layerNorm bias only", in -> in[0].layerNorm(four, null, in[1], 0.5), r -> of(r.normal(3, 4), r.normal(4))));
        c.add(check("layerNorm without affine, then weighted", in -> in[0].layerNorm(four, null, null, 1e-5).mul(in[1]),
                r -> of(r.normal(3, 4), r.normal(3, 4))));
        c.add(check("layerNorm of a transposed view", in -> in[0].transpose(0, 1).layerNorm(four, in[1], in[2], 1e-5),
                r -> of(r.normal(4, 5), r.normal(4), r.normal(4))));

        // ---- softmax and logSoftmax along each dim ----
        for (int d : new int[] {0, 1, 2, -1}) {
            int dim = d;
            c.add(check("softmax dim " + dim, in -> in[0].softmax(dim), r -> of(r.normal(2, 3, 4))));
            c.add(check("logSoftmax dim " + dim, in -> in[0].logSoftmax(dim), r -> of(r.normal(2, 3, 4))));
        }
        // weighted, so that the sum of the output along the dim is not constant
        c.add(check("softmax weighted sum", in -> in[0].softmax(1).mul(in[1]).sum(), r -> of(r.normal(3, 5), r.normal(3, 5))));
        c.add(check("logSoftmax weighted sum", in -> in[0].logSoftmax(0).mul(in[1]).sum(), r -> of(r.normal(3, 5), r.normal(3, 5))));

        // ---- views and copies ----
        c.add(check("reshape [2,6] -> [3,4]", in -> in[0].reshape(3, 4), r -> of(r.normal(2, 6))));
        c.add(check("reshape with -1", in -> in[0].reshape(-1, 2), r -> of(r.normal(2, 6))));
        c.add(check("reshape of a transposed view (copies)", in -> in[0].transpose(0, 1).reshape(-1), r -> of(r.normal(2, 6))));
        c.add(check("view [2,6] -> [4,3]", in -> in[0].view(4, 3), r -> of(r.normal(2, 6))));
        c.add(check("view -1", in -> in[0].view(-1), r -> of(r.normal(2, 3, 2))));
        c.add(check("flatten", in -> in[0].flatten(), r -> of(r.normal(2, 3, 4))));
        c.add(check("flatten(1)", in -> in[0].flatten(1), r -> of(r.normal(2, 3, 4))));
        c.add(check("squeeze all", in -> in[0].squeeze(), r -> of(r.normal(3, 1, 4, 1))));
        c.add(check("squeeze dim 1", in -> in[0].squeeze(1), r -> of(r.normal(3, 1, 4, 1))));
        c.add(check("squeeze dim of size > 1 (no-op)", in -> in[0].squeeze(0), r -> of(r.normal(3, 1, 4))));
        c.add(check("unsqueeze 0", in -> in[0].unsqueeze(0), r -> of(r.normal(3, 4))));
        c.add(check("unsqueeze -1", in -> in[0].unsqueeze(-1), r -> of(r.normal(3, 4))));
        c.add(check("permute (2,0,1)", in -> in[0].permute(2, 0, 1), r -> of(r.normal(2, 3, 4))));
        c.add(check("permute (-1,0,1) then exp", in -> in[0].permute(-1, 0, 1).exp(), r -> of(r.normal(2, 3, 4))));
        c.add(check("transpose (0,2)", in -> in[0].transpose(0, 2), r -> of(r.normal(2, 3, 4))));
        c.add(check("transpose (-1,-2) then tanh", in -> in[0].transpose(-1, -2).tanh(), r -> of(r.normal(2, 3, 4))));
        c.add(check("expand [3,1] -> [2,3,4]", in -> in[0].expand(2, 3, 4), r -> of(r.normal(3, 1))));
        c.add(check("expand [3,1] -> [-1,4] then mul", in -> in[0].expand(-1, 4).mul(in[1]), r -> of(r.normal(3, 1), r.normal(3, 4))));
        c.add(check("slice dim 1, step 2", in -> in[0].slice(1, 1, 6, 2), r -> of(r.normal(4, 6))));
        c.add(check("slice dim 0, negative start, clamped end, step 3", in -> in[0].slice(0, -5, 100, 3), r -> of(r.normal(6, 2))));
        c.add(check("slice of a slice", in -> in[0].slice(1, 0, 6, 2).slice(0, 1, 4, 1), r -> of(r.normal(4, 6))));
        c.add(check("narrow dim 0", in -> in[0].narrow(0, 1, 2), r -> of(r.normal(4, 3))));
        c.add(check("narrow dim 1, negative start", in -> in[0].narrow(1, -3, 2), r -> of(r.normal(4, 5))));
        c.add(check("select dim 0", in -> in[0].select(0, 2), r -> of(r.normal(4, 3))));
        c.add(check("select dim -1, index -1", in -> in[0].select(-1, -1), r -> of(r.normal(2, 4, 3))));
        c.add(check("contiguous of a transposed view", in -> in[0].transpose(0, 1).contiguous(), r -> of(r.normal(3, 4))));
        c.add(check("copy", in -> in[0].copy(), r -> of(r.normal(3, 4))));
        c.add(check("cat dim 0", in -> Tensor.cat(0, in[0], in[1], in[2]), r -> of(r.normal(1, 3), r.normal(2, 3), r.normal(3, 3))));
        c.add(check("cat dim -1", in -> Tensor.cat(-1, in[0], in[1]), r -> of(r.normal(2, 3, 1), r.normal(2, 3, 4))));
        c.add(check("cat of the same tensor twice", in -> Tensor.cat(1, in[0], in[0].exp()), r -> of(r.normal(2, 3))));
        c.add(check("stack dim 0", in -> Tensor.stack(0, in[0], in[1]), r -> of(r.normal(2, 3), r.normal(2, 3))));
        c.add(check("stack dim 1", in -> Tensor.stack(1, in[0], in[1], in[2]), r -> of(r.normal(2, 3), r.normal(2, 3), r.normal(2, 3))));
        c.add(check("stack dim -1", in -> Tensor.stack(-1, in[0], in[1]), r -> of(r.normal(2, 3), r.normal(2, 3))));
        // float32 rounds every value to ~6e-8 relative: with eps 1e-6 the finite difference would be off by
        // ~6%, so this case uses eps 1e-3 (rounding error ~6e-5, well inside rtol 1e-3).
        c.add(new GradCheckCase("to(float32).to(float64) round trip", in -> in[0].to(DType.FLOAT32).mul(Tensor.of(new float[] {2f}, 1)).to(DType.FLOAT64),
                r -> of(r.normal(2, 3)), 1e-3));
        c.add(check("to(float64) of a float64 tensor (identity)", in -> in[0].to(DType.FLOAT64).mul(3.0), r -> of(r.normal(2, 3))));

        // ---- fused recurrent cells: one node per step, gates in PyTorch's order ----
        c.add(check("lstmCell [3,4·5] gates, c [3,5]", in -> Tensor.lstmCell(in[0], in[1], in[2]), r -> of(r.normal(3, 20), r.normal(3, 20), r.normal(3, 5))));
        c.add(check("lstmCell of transposed views", in -> Tensor.lstmCell(in[0].transpose(0, 1), in[1], in[2].transpose(0, 1)),
                r -> of(r.normal(8, 2), r.normal(2, 8), r.normal(2, 2))));
        c.add(check("gruCell [3,3·5] gates, h [3,5]", in -> Tensor.gruCell(in[0], in[1], in[2]), r -> of(r.normal(3, 15), r.normal(3, 15), r.normal(3, 5))));
        c.add(check("gruCell of transposed views", in -> Tensor.gruCell(in[0].transpose(0, 1), in[1], in[2].transpose(0, 1)),
                r -> of(r.normal(6, 2), r.normal(2, 6), r.normal(2, 2))));
        // two steps over views of one input sequence, each state used twice: the views' gradients add up in place
        c.add(check("lstmCell two steps", in -> {
            Tensor hc = Tensor.lstmCell(in[0].select(0, 0), in[2].linear(in[1], null), in[3]);
            Tensor hc2 = Tensor.lstmCell(in[0].select(0, 1), hc.select(0, 0).linear(in[1], null), hc.select(0, 1));
            return Tensor.stack(0, hc.select(0, 0), hc2.select(0, 0), hc2.select(0, 1));
        }, r -> of(r.normal(2, 3, 8), r.normal(8, 2), r.normal(3, 2), r.normal(3, 2))));
        c.add(check("gruCell two steps", in -> {
            Tensor h1 = Tensor.gruCell(in[0].select(0, 0), in[2].linear(in[1], null), in[2]);
            Tensor h2 = Tensor.gruCell(in[0].select(0, 1), h1.linear(in[1], null), h1);
            return Tensor.stack(0, h1, h2);
        }, r -> of(r.normal(2, 3, 6), r.normal(6, 2), r.normal(3, 2))));

        // ---- recurrent layers: one node per sequence (3 steps, batch 2, hidden 2; odd sizes where they matter) ----
        c.add(check("gruSequence [3,2,3·2] with bias", in -> Tensor.gruSequence(in[0], in[1], in[2], in[3]),
                r -> of(r.normal(3, 2, 6), r.normal(2, 2), r.normal(6, 2), r.normal(6))));
        c.add(check("gruSequence without bias, batch-first gates (a transposed view), 5 steps of batch 3", in -> Tensor.gruSequence(in[0].transpose(0, 1), in[1], in[2], null),
                r -> of(r.normal(3, 5, 6), r.normal(3, 2), r.normal(6, 2))));
        c.add(check("gruSequence, one step", in -> Tensor.gruSequence(in[0], in[1], in[2], in[3]),
                r -> of(r.normal(1, 3, 3), r.normal(3, 1), r.normal(3, 1), r.normal(3))));
        c.add(check("lstmSequence [3,2,4·2]", in -> Tensor.lstmSequence(in[0], in[1], in[2], in[3]),
                r -> of(r.normal(3, 2, 8), r.normal(2, 2), r.normal(2, 2), r.normal(8, 2))));
        c.add(check("lstmSequence, batch-first gates (a transposed view), 5 steps of batch 3, only the last h", in -> Tensor.lstmSequence(in[0].transpose(0, 1), in[1], in[2], in[3]).select(0, 0).select(0, -1),
                r -> of(r.normal(3, 5, 8), r.normal(3, 2), r.normal(3, 2), r.normal(8, 2))));

        // ---- compositions ----
        c.add(check("mse-like loss", in -> in[0].sub(in[1]).square().mean(), r -> of(r.normal(4, 3), r.normal(4, 3))));
        c.add(check("two-layer tanh net", in -> in[0].linear(in[1], in[2]).tanh().linear(in[3], null).sum(),
                r -> of(r.normal(5, 3), r.normal(4, 3), r.normal(4), r.normal(2, 4))));
        c.add(check("layer-norm-like composition", in -> {
            Tensor x = in[0];
            Tensor centred = x.sub(x.mean(-1, true));
            return centred.div(x.var(new int[] {-1}, 0, true).add(1e-5).sqrt());
        }, r -> of(r.normal(3, 5))));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(GradCheckCase c) {
        assertTrue(c.run());
    }

    @Test
    void everyOpOutsideKernelOpsIsChecked() {
        Set<Op> seen = EnumSet.noneOf(Op.class);
        for (GradCheckCase c : cases()) seen.addAll(c.recordedOps());
        Set<Op> missing = EnumSet.complementOf(EnumSet.copyOf(GradCheckCase.KERNEL_OPS));
        missing.removeAll(GradCheckCase.DEVICE_OPS);
        missing.removeAll(seen);
        assertTrue(missing.isEmpty(), "ops without a gradient check: " + missing);
    }

    // ---- the checker itself ----

    /**
     * {@code x * x.detach()} has derivative {@code 2x}, but the detached factor carries no gradient, so
     * autograd gives {@code x}. Finite differences perturb both factors (they share storage), so the check
     * must fail: it would be useless if it passed a wrong gradient.
     */
    @Test
    void failsWhenTheGradientIsWrong() {
        Tensor x = new Float64Leaves(7).awayFromZero(2, 3);
        GradCheck.Failure failure = assertThrows(GradCheck.Failure.class, () -> GradCheck.check(in -> in[0].mul(in[0].detach()), x));
        assertTrue(failure.getMessage().contains("finite differences"), failure.getMessage());
    }

    @Test
    void failsWhenAGradientPathIsDroppedInsideAComposition() {
        Tensor x = new Float64Leaves(8).normal(4);
        // tanh(x) + x·sum(x): the sum is detached, so the cross terms of the Jacobian are missing
        assertThrows(GradCheck.Failure.class, () -> GradCheck.check(in -> in[0].tanh().add(in[0].mul(in[0].sum().detach())), x));
    }

    @Test
    void restoresTheInputsAfterPerturbingThem() {
        Tensor x = new Float64Leaves(9).normal(2, 3);
        double[] before = x.data().toDoubleArray();
        GradCheck.check(in -> in[0].exp().sum(), x);
        assertArrayEquals(before, x.data().toDoubleArray());
        assertNull(x.grad(), "gradcheck leaves no gradient behind");
    }

    @Test
    void rejectsFloat32Inputs() {
        Tensor x = Tensor.of(new float[] {1f, 2f}, 2).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check(in -> in[0].exp(), x));
    }

    @Test
    void rejectsNonLeafInputs() {
        Tensor x = new Float64Leaves(10).normal(2).mul(2.0);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check(in -> in[0].exp(), x));
    }

    @Test
    void rejectsOutputsThatDoNotDependOnAnInput() {
        Tensor x = new Float64Leaves(11).normal(2);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check(in -> constant(new double[] {1, 2}, 2), x));
    }

    @Test
    void onlyChecksInputsThatRequireGrad() {
        Float64Leaves r = new Float64Leaves(12);
        Tensor x = r.normal(2, 3);
        Tensor c = r.normal(2, 3).requiresGrad(false);
        assertTrue(GradCheck.check(in -> in[0].mul(in[1]), x, c));
    }
}
