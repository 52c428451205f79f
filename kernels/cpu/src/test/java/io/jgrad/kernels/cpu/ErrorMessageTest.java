package io.jgrad.kernels.cpu;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.HostStorage;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.jgrad.kernels.cpu.NDArrayAssert.assertRejects;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every facade check throws IllegalArgumentException whose message names the op and the shapes involved
 * ("check at the facade, assert inside"). Each row: a description, the failing call, and the fragments the
 * message must contain; the first fragment is always the op name followed by a colon.
 */
class ErrorMessageTest {

    private static NDArray a23() {
        return NDArray.zeros(2, 3);
    }

    private static Arguments row(String op, Executable call, String... shapes) {
        String[] fragments = new String[shapes.length + 1];
        fragments[0] = op + ":";
        System.arraycopy(shapes, 0, fragments, 1, shapes.length);
        return arguments(op + " " + String.join(" ", shapes), call, fragments);
    }

    static Stream<Arguments> failures() {
        NDArray x = a23();
        NDArray ints = NDArray.arange(6).reshape(2, 3);
        return Stream.of(
                // views
                row("reshape", () -> x.reshape(4, 2), "[4, 2]", "[2, 3]"),
                row("reshape", () -> x.reshape(-1, -1), "[-1, -1]"),
                row("view", () -> x.t().view(6), "[6]", "[3, 2]"),
                row("view", () -> x.view(7), "[7]", "[2, 3]"),
                row("permute", () -> x.permute(1), "[1]", "[2, 3]"),
                row("permute", () -> x.permute(0, 0), "[0, 0]"),
                row("transpose", () -> x.transpose(0, 2), "dim 2", "rank 2"),
                row("t", () -> NDArray.zeros(1, 2, 3).t(), "[1, 2, 3]"),
                row("slice", () -> x.slice(0, 0, 1, 0), "step"),
                row("slice", () -> x.slice(2, 0, 1), "dim 2", "rank 2"),
                row("narrow", () -> x.narrow(1, 2, 2), "[2, 3]"),
                row("select", () -> x.select(0, 2), "[2, 3]"),
                row("expand", () -> x.expand(3, 3), "[2, 3]", "[3, 3]"),
                row("expand", () -> x.expand(3), "[2, 3]", "[3]"),
                row("squeeze", () -> x.squeeze(-3), "dim -3"),
                row("unsqueeze", () -> x.unsqueeze(4), "dim 4"),
                row("get", () -> x.get(0, 3), "[0, 3]", "[2, 3]"),
                row("getLong", () -> ints.getLong(2, 0), "[2, 0]", "[2, 3]"),
                row("item", x::item, "[2, 3]"),
                row("view", () -> NDArray.view(new HostStorage.Float32(new float[4]), new int[] {2, 3}, new int[] {3, 1}, 0),
                        "[2, 3]", "[3, 1]", "4 elements"),
                row("view", () -> NDArray.view(new HostStorage.Float32(new float[4]), new int[] {2}, new int[] {1, 1}, 0),
                        "[2]", "[1, 1]", "rank"),
                // factories
                row("zeros", () -> NDArray.zeros(2, -3), "[2, -3]"),
                row("zeros", () -> NDArray.zeros(65536, 65536), "[65536, 65536]"),
                row("of", () -> NDArray.of(new float[5], 2, 3), "[2, 3]"),
                row("fromHost", () -> NDArray.fromHost(new HostStorage.Float64(new double[3]), 2, 2), "[2, 2]"),
                // elementwise
                row("add", () -> x.add(NDArray.zeros(2)), "[2, 3]", "[2]"),
                row("div", () -> x.div(NDArray.zeros(3, 3)), "[2, 3]", "[3, 3]"),
                row("ge", () -> x.ge(NDArray.zeros(4)), "[2, 3]", "[4]"),
                row("add", () -> x.add(NDArray.zeros(DType.FLOAT64, 2, 3)), "float32", "float64", "[2, 3]"),
                row("where", () -> NDArray.where(NDArray.zeros(4), x, x), "[4]", "[2, 3]"),
                row("exp", ints::exp, "int64", "[2, 3]"),
                row("clamp", () -> x.clamp(2, 1), "2.0", "1.0"),
                // in place
                row("addInPlace", () -> x.addInPlace(NDArray.zeros(3, 2, 3)), "[3, 2, 3]", "[2, 3]"),
                row("subInPlace", () -> x.expand(4, 2, 3).subInPlace(a23()), "[4, 2, 3]"),
                row("mulInPlace", () -> x.mulInPlace(NDArray.zeros(DType.FLOAT64, 3)), "float32", "float64"),
                row("assign", () -> x.assign(NDArray.zeros(3, 2)), "[3, 2]", "[2, 3]"),
                // reductions
                row("sum", () -> x.sum(2), "dim 2", "rank 2"),
                row("sum", () -> x.sum(new int[] {1, -1}, false), "[1, -1]"),
                row("mean", ints::mean, "int64", "[2, 3]"),
                row("amax", () -> NDArray.zeros(0, 3).amax(0, false), "[0, 3]"),
                row("argmin", () -> NDArray.zeros(3, 0).argmin(1, true), "[3, 0]"),
                row("var", () -> ints.var(), "int64", "[2, 3]"),
                // matmul, softmax, joining
                row("matmul", () -> x.matmul(a23()), "[2, 3]", "[2, 3]", "3 != 2"),
                row("matmul", () -> NDArray.zeros(2, 2, 3).matmul(NDArray.zeros(3, 3, 4)), "[2, 2, 3]", "[3, 3, 4]"),
                row("softmax", () -> ints.softmax(1), "int64", "[2, 3]"),
                row("cat", () -> NDArray.cat(0, x, NDArray.zeros(2, 4)), "[2, 3]", "[2, 4]"),
                row("stack", () -> NDArray.stack(0, x, NDArray.zeros(3, 2)), "[2, 3]", "[3, 2]")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void facadeChecksNameTheOpAndShapes(String description, Executable call, String[] fragments) {
        assertRejects(call, fragments);
    }
}
