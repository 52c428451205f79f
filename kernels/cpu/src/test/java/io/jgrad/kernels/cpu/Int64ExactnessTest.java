package io.jgrad.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.spi.Backend;
import io.jgrad.tensor.spi.BinaryOp;
import io.jgrad.tensor.spi.ReduceOp;
import io.jgrad.tensor.spi.UnaryOp;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * int64 arithmetic is exact over the whole range and wraps around on overflow as Java's long (and PyTorch's
 * int64) does, on both CPU backends; through double, 2^53 + 1 came out as 2^53.
 */
class Int64ExactnessTest {

    private static final long TWO_53 = 1L << 53;
    private static final long[] A = {TWO_53, 4611686018427387905L, Long.MAX_VALUE, Long.MIN_VALUE, -TWO_53 - 3, 7, 0};
    private static final long[] B = {1, 2, 1, -1, TWO_53 + 1, -3, Long.MIN_VALUE};

    static Stream<Backend> backends() {
        return Stream.of(VectorChecks.REFERENCE, VectorChecks.VECTOR);
    }

    private static NDArray longs(long... v) {
        return NDArray.of(v, v.length);
    }

    private static long[] binary(Backend backend, BinaryOp op) {
        NDArray out = NDArray.zeros(DType.INT64, A.length);
        backend.binary(op, longs(A), longs(B), out);
        return out.toLongArray();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void binaryOpsAreExactAndWrap(Backend backend) {
        long[] add = new long[A.length], sub = new long[A.length], mul = new long[A.length], max = new long[A.length],
                min = new long[A.length], lt = new long[A.length], eq = new long[A.length];
        for (int i = 0; i < A.length; i++) {
            add[i] = A[i] + B[i];
            sub[i] = A[i] - B[i];
            mul[i] = A[i] * B[i];
            max[i] = Math.max(A[i], B[i]);
            min[i] = Math.min(A[i], B[i]);
            lt[i] = A[i] < B[i] ? 1 : 0;
            eq[i] = A[i] == B[i] ? 1 : 0;
        }
        assertArrayEquals(add, binary(backend, BinaryOp.ADD), backend.name() + " add");
        assertArrayEquals(sub, binary(backend, BinaryOp.SUB), backend.name() + " sub");
        assertArrayEquals(mul, binary(backend, BinaryOp.MUL), backend.name() + " mul");
        assertArrayEquals(max, binary(backend, BinaryOp.MAXIMUM), backend.name() + " maximum");
        assertArrayEquals(min, binary(backend, BinaryOp.MINIMUM), backend.name() + " minimum");
        assertArrayEquals(lt, binary(backend, BinaryOp.LT), backend.name() + " lt");
        assertArrayEquals(eq, binary(backend, BinaryOp.EQ), backend.name() + " eq");
        // The report's cases, through the scalar operand path of NDArray.
        assertArrayEquals(new long[] {TWO_53 + 1}, longs(TWO_53).add(longs(1)).toLongArray());
        assertArrayEquals(new long[] {4611686018427387907L}, longs(4611686018427387905L).add(2).toLongArray());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void unaryOpsAreExact(Backend backend) {
        for (UnaryOp op : new UnaryOp[] {UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SQUARE, UnaryOp.RELU, UnaryOp.SIGN, UnaryOp.CLAMP}) {
            NDArray out = NDArray.zeros(DType.INT64, A.length);
            backend.unary(op, longs(A), out, -TWO_53, 4e18);
            long[] expected = new long[A.length];
            for (int i = 0; i < A.length; i++) {
                long x = A[i];
                expected[i] = switch (op) {
                    case NEG -> -x;
                    case ABS -> Math.abs(x);
                    case SQUARE -> x * x;
                    case RELU -> Math.max(x, 0);
                    case SIGN -> Long.signum(x);
                    default -> Math.min(Math.max(x, -TWO_53), 4_000_000_000_000_000_000L);
                };
            }
            assertArrayEquals(expected, out.toLongArray(), backend.name() + " " + op);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void reductionsAreExact(Backend backend) {
        long[] v = {TWO_53, 1, 1, 4611686018427387905L, 2};
        NDArray x = NDArray.of(v, v.length);
        long sum = 0;
        for (long e : v) sum += e;
        assertArrayEquals(new long[] {sum}, reduce(backend, ReduceOp.SUM, x), backend.name() + " sum");
        assertArrayEquals(new long[] {4611686018427387905L}, reduce(backend, ReduceOp.AMAX, x), backend.name() + " amax");
        assertArrayEquals(new long[] {1}, reduce(backend, ReduceOp.AMIN, x), backend.name() + " amin");
        NDArray wraps = longs(Long.MAX_VALUE, 1);
        assertArrayEquals(new long[] {Long.MIN_VALUE}, reduce(backend, ReduceOp.SUM, wraps), backend.name() + " sum wraps");
        NDArray cond = NDArray.of(new float[] {1, 0}, 2), out = NDArray.zeros(DType.INT64, 2);
        backend.where(cond, longs(TWO_53 + 1, 0), longs(0, -TWO_53 - 1), out);
        assertArrayEquals(new long[] {TWO_53 + 1, -TWO_53 - 1}, out.toLongArray(), backend.name() + " where");
    }

    private static long[] reduce(Backend backend, ReduceOp op, NDArray x) {
        NDArray out = NDArray.zeros(DType.INT64, 1);
        backend.reduce(op, x, out);
        return out.toLongArray();
    }
}
