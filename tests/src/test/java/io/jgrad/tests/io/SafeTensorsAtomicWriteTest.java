package io.jgrad.tests.io;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.Device;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.io.SafeTensors;
import io.jgrad.tensor.spi.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A failed write leaves the previous file byte-identical and no temporary file behind. */
class SafeTensorsAtomicWriteTest {

    @TempDir
    Path dir;

    /** Storage on a GPU that no backend serves: its header entry can be written, its bytes cannot be fetched. */
    private static final class UnreachableStorage extends Storage {
        UnreachableStorage(int size) {
            super(DType.FLOAT32, size);
        }

        @Override
        public Device device() {
            return new Device(Device.Kind.CUDA, 7);
        }
    }

    private Set<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private Path existingFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, Map.of("old", NDArray.of(new double[] {1, 2, 3}, 3)), Map.of("version", "1"));
        return file;
    }

    @Test
    void successfulWriteReplacesTheFileAndLeavesNoTemporary() throws IOException {
        Path file = existingFile();
        SafeTensors.write(file, Map.of("new", NDArray.of(new long[] {5}, 1)), Map.of("version", "2"));
        assertEquals(Set.of("model.safetensors"), listing());
        assertEquals("2", SafeTensors.read(file).metadata().get("version"));
        assertEquals(Set.of("new"), SafeTensors.read(file).tensors().keySet());
    }

    @Test
    void tensorThatFailsMidwayLeavesTheOldFile() throws IOException {
        Path file = existingFile();
        byte[] before = Files.readAllBytes(file);

        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("fine", NDArray.arange(DType.FLOAT32, 0, 50_000, 1)); // written to the temporary file first
        tensors.put("unreachable", NDArray.view(new UnreachableStorage(6), new int[] {2, 3}, new int[] {3, 1}, 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SafeTensors.write(file, tensors, Map.of("version", "2")));
        assertTrue(e.getMessage().contains("cuda:7"), e.getMessage());

        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(Set.of("model.safetensors"), listing());
    }

    @Test
    void mapWhoseIterationThrowsLeavesTheOldFile() throws IOException {
        Path file = existingFile();
        byte[] before = Files.readAllBytes(file);
        Map<String, NDArray> failing = new AbstractMap<>() {
            @Override
            public Set<Entry<String, NDArray>> entrySet() {
                return new AbstractSet<>() {
                    @Override
                    public Iterator<Entry<String, NDArray>> iterator() {
                        Iterator<Entry<String, NDArray>> first = List.of(Map.entry("a", NDArray.of(1f, 2f))).iterator();
                        return new Iterator<>() {
                            @Override
                            public boolean hasNext() {
                                return true;
                            }

                            @Override
                            public Entry<String, NDArray> next() {
                                if (first.hasNext()) return first.next();
                                throw new IllegalStateException("iteration failed");
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return 2;
                    }
                };
            }
        };
        // The map is walked once, to lay out the header, before the temporary file exists; the midway
        // failure (header and a tensor already in the temporary file) is tensorThatFailsMidwayLeavesTheOldFile.
        assertThrows(IllegalStateException.class, () -> SafeTensors.write(file, failing, null));
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(Set.of("model.safetensors"), listing());
    }

    @Test
    void failedRenameRemovesTheTemporary() throws IOException {
        Path target = Files.createDirectory(dir.resolve("a-directory"));
        Files.writeString(target.resolve("keep"), "x"); // a non-empty directory cannot be replaced by a file
        assertThrows(IOException.class, () -> SafeTensors.write(target, Map.of("x", NDArray.of(1f)), null));
        assertTrue(Files.isDirectory(target));
        assertEquals(Set.of("a-directory"), listing());
    }

    @Test
    void missingDirectoryFailsCleanly() {
        Path file = dir.resolve("no-such-dir").resolve("m.safetensors");
        assertThrows(NoSuchFileException.class, () -> SafeTensors.write(file, Map.of("x", NDArray.of(1f)), null));
        assertFalse(Files.exists(file.getParent()));
    }

    @Test
    void relativePathsWork() throws IOException {
        Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("rel.safetensors"));
        SafeTensors.write(relative, Map.of("x", NDArray.of(1f)), null);
        assertEquals(Set.of("rel.safetensors"), listing());
    }
}
