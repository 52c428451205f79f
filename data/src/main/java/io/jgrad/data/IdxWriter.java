package io.jgrad.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes unsigned-byte IDX files (the format {@link IdxReader} reads), plain or gzipped. */
public final class IdxWriter {

    private IdxWriter() {
    }

    public static void write(Path file, int[] dims, byte[] data, boolean gzip) throws IOException {
        long n = 1;
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("IdxWriter: negative dimension in " + IdxData.describe(dims));
            n = Math.min(n * d, Integer.MAX_VALUE + 1L); // capped: past any array length, and no overflow
        }
        if (dims.length == 0 || dims.length > 255 || n != data.length) {
            throw new IllegalArgumentException("IdxWriter: " + data.length + " bytes do not fill dimensions " + IdxData.describe(dims));
        }
        try (OutputStream file0 = Files.newOutputStream(file);
             OutputStream body = gzip ? new GZIPOutputStream(file0, 1 << 16) : file0;
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(body, 1 << 16))) {
            out.writeInt(0x0800 | dims.length); // two zero bytes, type 0x08 (unsigned byte), rank
            for (int d : dims) out.writeInt(d);
            out.write(data);
        }
    }
}
