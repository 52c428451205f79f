package io.jgrad.train;

import io.jgrad.tensor.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A training run's output directory, held for the run: opened before any data is loaded or any epoch trained,
 * so that a directory that cannot be created or written fails at once with the reason, and locked (an
 * exclusive {@link FileLock} on {@value #LOCK_FILE} inside it), so that a second run into the same directory
 * is refused instead of overwriting the first one's checkpoints and metrics. The operating system releases
 * the lock when the process dies, so a killed run never leaves the directory locked. Once locked, temporary
 * files that killed writes left behind ({@link AtomicFiles#deleteStaleTemporaries}) are removed.
 */
public final class RunDirectory implements AutoCloseable {

    static final String LOCK_FILE = ".jgrad.lock";

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private RunDirectory(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code dir} if needed and locks it. Throws an {@link IOException} whose message says what is
     * wrong (without the path, which the caller names as the user gave it): not a directory, no permission,
     * or another run holding it.
     */
    public static RunDirectory open(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException("exists and is not a directory");
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot create the directory: " + e.getFile() + " exists and is not a directory", e);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot create the directory: permission denied for " + e.getFile(), e);
        } catch (FileSystemException e) {
            throw new IOException("cannot create the directory: " + (e.getReason() != null ? e.getReason() : e.toString()), e);
        }
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw new IOException("not writable (permission denied creating " + LOCK_FILE + " in it)", e);
        } catch (FileSystemException e) {
            throw new IOException("not writable: " + (e.getReason() != null ? e.getReason() : e.toString()), e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) { // held by this JVM
            lock = null;
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot lock " + LOCK_FILE + " in it: " + e.getMessage(), e);
        }
        if (lock == null) {
            String holder = new String(Files.readAllBytes(lockFile), StandardCharsets.UTF_8).strip();
            channel.close();
            throw new IOException("another jgrad run is writing to this directory" + (holder.isEmpty() ? "" : " (" + holder + ")")
                    + "; wait for it to finish or choose another --out");
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("process " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            AtomicFiles.deleteStaleTemporaries(dir);
        } catch (IOException e) {
            lock.release();
            channel.close();
            throw new IOException("not writable: " + e.getMessage(), e);
        }
        return new RunDirectory(dir, channel, lock);
    }

    public Path path() {
        return dir;
    }

    /** Releases the lock (the lock file stays: deleting it could race with a run that has just opened it). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
