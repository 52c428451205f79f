package io.jgrad.data;

import io.jgrad.tensor.NDArray;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DatasetsTest {

    @Test
    void splitSizesAreDisjointAndCoverTheDataset() {
        TensorDataset ds = Indexed.dataset(101);
        Datasets.Split s = Datasets.split(ds, 0.2, 7);
        assertEquals(81, s.train().size());
        assertEquals(20, s.validation().size());
        int[] all = IntStream.concat(Arrays.stream(s.train().indices()), Arrays.stream(s.validation().indices())).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 101).toArray(), all, "disjoint and complete");
        assertEquals(s.validation().indices()[3], (int) s.validation().get(3).input().toFloatArray()[0], "Subset reads through its indices");

        assertArrayEquals(s.validation().indices(), Datasets.split(ds, 0.2, 7).validation().indices(), "same seed, same split");
        assertFalse(Arrays.equals(s.validation().indices(), Datasets.split(ds, 0.2, 8).validation().indices()));
        assertEquals(0, Datasets.split(ds, 0, 1).validation().size());
        assertEquals(101, Datasets.split(ds, 1, 1).validation().size());
        assertThrows(IllegalArgumentException.class, () -> Datasets.split(ds, 1.5, 1));
        assertThrows(IllegalArgumentException.class, () -> Datasets.split(ds, Double.NaN, 1));
    }

    @Test
    void firstTakesAPrefix() {
        TensorDataset ds = Indexed.dataset(10);
        assertArrayEquals(new int[] {0, 1, 2}, Datasets.first(ds, 3).indices());
        assertEquals(10, Datasets.first(ds, 1000).size());
        assertEquals(0, Datasets.first(ds, 0).size());
        assertThrows(IllegalArgumentException.class, () -> Datasets.first(ds, -1));
    }

    @Test
    void tensorDatasetFromArrays() {
        NDArray x = NDArray.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        TensorDataset ds = new TensorDataset(x, NDArray.of(new long[] {2, 0, 1}, 3));
        assertEquals(3, ds.size());
        assertEquals(3, ds.numClasses());
        assertArrayEquals(new float[] {3, 4}, ds.get(1).input().toFloatArray());
        ds.get(1).input().fill(0);
        assertArrayEquals(new float[] {3, 4}, ds.get(1).input().toFloatArray(), "examples are copies");
        assertThrows(IndexOutOfBoundsException.class, () -> ds.get(3));
        assertThrows(IllegalArgumentException.class, () -> new TensorDataset(x, NDArray.of(new long[] {1, 2}, 2)));
        assertThrows(IllegalArgumentException.class, () -> new TensorDataset(x, NDArray.of(new float[] {1, 2, 3}, 3)));
        assertThrows(IndexOutOfBoundsException.class, () -> new Subset(ds, new int[] {0, 3}));
    }
}
