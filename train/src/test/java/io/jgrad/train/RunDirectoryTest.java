package io.jgrad.train;

import io.jgrad.tensor.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void createsLocksAndRemovesOnlyStaleTemporaryFiles() throws Exception {
        Path out = dir.resolve("a/b");
        Files.createDirectories(out);
        // What AtomicFiles leaves when its process is killed mid-write: never cleaned up before.
        Files.writeString(out.resolve(".model.safetensors.3f9a0c1d2e4b5a69.tmp"), "partial");
        Files.writeString(out.resolve(".metrics.csv.0.tmp"), "partial");
        for (String keep : List.of("notes.tmp", ".notes.tmp", ".model.safetensors.XYZ.tmp", "model.safetensors")) Files.writeString(out.resolve(keep), "keep");
        try (RunDirectory run = RunDirectory.open(out)) {
            assertEquals(out, run.path());
            try (var files = Files.list(out)) {
                assertEquals(List.of(".jgrad.lock", ".model.safetensors.XYZ.tmp", ".notes.tmp", "model.safetensors", "notes.tmp"),
                        files.map(p -> p.getFileName().toString()).sorted().toList());
            }
            IOException busy = assertThrows(IOException.class, () -> RunDirectory.open(out));
            assertTrue(busy.getMessage().startsWith("another jgrad run is writing to this directory (process " + ProcessHandle.current().pid() + ")"),
                    busy.getMessage());
        }
        RunDirectory.open(out).close(); // released: open again
        assertTrue(Files.isDirectory(RunDirectory.open(dir.resolve("new/deep")).path()));
    }

    @Test
    void aFileInTheWayIsNamed() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertEquals("exists and is not a directory", assertThrows(IOException.class, () -> RunDirectory.open(file)).getMessage());
        IOException e = assertThrows(IOException.class, () -> RunDirectory.open(file.resolve("sub")));
        assertTrue(e.getMessage().startsWith("cannot create the directory: "), e.getMessage());
    }

    @Test
    void deleteStaleTemporariesCountsWhatItDeleted() throws Exception {
        Files.writeString(dir.resolve(".x.ff.tmp"), "");
        Files.writeString(dir.resolve(".y.z.ab12.tmp"), "");
        Files.createDirectory(dir.resolve(".d.00.tmp")); // a directory is never touched
        assertEquals(2, AtomicFiles.deleteStaleTemporaries(dir));
        assertTrue(Files.isDirectory(dir.resolve(".d.00.tmp")));
    }
}
