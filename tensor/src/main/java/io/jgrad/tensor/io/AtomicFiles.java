package io.jgrad.tensor.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a whole file or nothing: the bytes go to a temporary file in the same directory, are forced to disk,
 * and the temporary file is renamed over the target; the directory is then forced where the platform allows
 * it. A crash at any moment leaves either the old file or the new one, never a mixture, and a failed write
 * removes its temporary file and leaves the old file as it was. Every file jgrad writes (checkpoints,
 * metrics, plots, the OpenCL tuning cache) goes through here. The directory must exist.
 */
public final class AtomicFiles {

    /** Produces the file's contents into a channel positioned at its start (which it must not close). */
    @FunctionalInterface
    public interface ChannelWriter {
        void write(FileChannel channel) throws IOException;
    }

    /** Produces the file's contents into a stream (which it need not close). */
    @FunctionalInterface
    public interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    public static void write(Path target, ChannelWriter writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();   // not created here: writing into a missing directory is the caller's error
        // Not Files.createTempFile: that makes the file owner-only (0600), and the rename would carry that over.
        Path temp = dir.resolve("." + absolute.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writer.write(channel);
                channel.force(true);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
        syncDirectory(dir);
    }

    public static void writeStream(Path target, StreamWriter writer) throws IOException {
        write(target, channel -> {
            OutputStream out = Channels.newOutputStream(channel);   // not closed: closing it would close the channel before force()
            writer.write(out);
            out.flush();
        });
    }

    public static void writeString(Path target, String text) throws IOException {
        writeStream(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The temporary names {@link #write} uses: {@code .NAME.HEX.tmp}. */
    private static final java.util.regex.Pattern TEMPORARY = java.util.regex.Pattern.compile("\\..+\\.[0-9a-f]{1,16}\\.tmp");

    /**
     * Deletes the temporary files that writes into {@code dir} left behind when their process was killed (a
     * write that fails in the JVM removes its own). Only files named as {@link #write} names them are touched.
     * Call it only while no other process can be writing into {@code dir} (jgrad's training holds a lock on
     * its output directory): a live writer's temporary file looks the same. Returns how many were deleted.
     */
    public static int deleteStaleTemporaries(Path dir) throws IOException {
        int deleted = 0;
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (TEMPORARY.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && Files.deleteIfExists(f)) {
                    deleted++;
                }
            }
        }
        return deleted;
    }

    /** Makes the rename durable on POSIX systems; platforms that cannot open a directory (Windows) skip it. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // The file is in place; only the durability of its directory entry is left to the OS.
        }
    }
}
