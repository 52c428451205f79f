package io.jgrad.kernels.cuda;

import io.jgrad.tensor.spi.HostStorage;

import java.nio.ByteBuffer;

/** Copies between a host storage's Java array and a (pinned, native-order) byte buffer, element range by range. */
final class HostTransfer {
    private HostTransfer() {
    }

    /** Elements {@code first .. first+count-1} of {@code host} into {@code buffer} from byte 0. */
    static void toBuffer(HostStorage host, int first, int count, ByteBuffer buffer) {
        buffer.clear();
        if (host instanceof HostStorage.Float32 f) buffer.asFloatBuffer().put(f.data, first, count);
        else if (host instanceof HostStorage.Float64 d) buffer.asDoubleBuffer().put(d.data, first, count);
        else buffer.asLongBuffer().put(((HostStorage.Int64) host).data, first, count);
    }

    /** {@code count} elements from byte 0 of {@code buffer} into {@code host} from element {@code first}. */
    static void fromBuffer(ByteBuffer buffer, HostStorage host, int first, int count) {
        buffer.clear();
        if (host instanceof HostStorage.Float32 f) buffer.asFloatBuffer().get(f.data, first, count);
        else if (host instanceof HostStorage.Float64 d) buffer.asDoubleBuffer().get(d.data, first, count);
        else buffer.asLongBuffer().get(((HostStorage.Int64) host).data, first, count);
    }
}
