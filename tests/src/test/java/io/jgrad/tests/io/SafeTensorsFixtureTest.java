package io.jgrad.tests.io;

import io.jgrad.tensor.DType;
import io.jgrad.tensor.NDArray;
import io.jgrad.tensor.io.Json;
import io.jgrad.tensor.io.SafeTensors;
import io.jgrad.tensor.io.SafeTensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads a file written by PyTorch's safetensors (a copy of ../shared/fixtures/pytorch/matmul_2d.safetensors). */
class SafeTensorsFixtureTest {

    static Path fixture(String name) throws URISyntaxException {
        URL url = SafeTensorsFixtureTest.class.getResource("/fixtures/pytorch/" + name);
        assertNotNull(url, "test resource fixtures/pytorch/" + name + " is missing");
        return Path.of(url.toURI());
    }

    @Test
    void matmulFixtureIsConsistentAndMatchesOurMatmul() throws Exception {
        SafeTensorsFile f = SafeTensors.read(fixture("matmul_2d.safetensors"));

        Map<String, String> meta = f.metadata();
        assertEquals("matmul", meta.get("op"));
        assertEquals("x,y", meta.get("inputs"));
        assertEquals("out", meta.get("outputs"));
        assertEquals(Map.of(), Json.parse(meta.get("attrs")));
        assertEquals(List.of("grad.x", "grad.y", "grad_out", "out", "x", "y"), new ArrayList<>(f.tensors().keySet()), "header order");

        NDArray x = f.get("x"), y = f.get("y"), out = f.get("out");
        for (NDArray a : f.tensors().values()) assertEquals(DType.FLOAT32, a.dtype());
        assertEquals(2, x.rank());
        assertEquals(2, y.rank());
        int m = x.shape(0), k = x.shape(1), n = y.shape(1);
        assertEquals(k, y.shape(0), "inner dims of x and y");
        assertArrayEquals(new int[] {m, n}, out.shape());
        assertArrayEquals(x.shape(), f.get("grad.x").shape());
        assertArrayEquals(y.shape(), f.get("grad.y").shape());
        assertArrayEquals(out.shape(), f.get("grad_out").shape());

        double rtol = Double.parseDouble(meta.get("rtol"));
        double atol = Double.parseDouble(meta.get("atol"));
        NDArray actual = x.matmul(y);
        assertTrue(actual.allClose(out, rtol, atol), () -> "x@y differs from the fixture's out beyond rtol " + rtol + ", atol " + atol
                + ":\n" + actual + "\nexpected\n" + out);
    }

    @Test
    void fixtureSurvivesARewrite(@TempDir Path dir) throws Exception {
        SafeTensorsFile original = SafeTensors.read(fixture("matmul_2d.safetensors"));
        Path copy = dir.resolve("copy.safetensors");
        SafeTensors.write(copy, original.tensors(), original.metadata());
        SafeTensorsFile again = SafeTensors.read(copy);
        assertEquals(original.metadata(), again.metadata());
        assertEquals(new ArrayList<>(original.tensors().keySet()), new ArrayList<>(again.tensors().keySet()));
        for (String name : original.tensors().keySet()) {
            assertArrayEquals(original.get(name).shape(), again.get(name).shape());
            assertArrayEquals(original.get(name).toFloatArray(), again.get(name).toFloatArray(), name);
        }
    }
}
