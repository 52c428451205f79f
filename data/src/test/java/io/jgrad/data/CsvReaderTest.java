package io.jgrad.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CsvReaderTest {

    @TempDir
    Path dir;

    private Path csv(String content) throws IOException {
        return Files.writeString(dir.resolve("data.csv"), content);
    }

    private void fails(CsvReader reader, String content, String problem) throws IOException {
        Path f = csv(content);
        DataFileException e = assertThrows(DataFileException.class, () -> reader.read(f));
        assertEquals(f + ": " + problem, e.getMessage());
    }

    @Test
    void headerAndLabelByName() throws IOException {
        Path f = csv("\uFEFFa, \"species\" ,b\n1.5,2,-3\n\n4e-1, 0 ,.5\n");
        TensorDataset ds = new CsvReader().labelColumn("species").read(f);
        assertEquals(2, ds.size());
        assertArrayEquals(new int[] {2}, ds.exampleShape());
        assertArrayEquals(new float[] {1.5f, -3f}, ds.get(0).input().toFloatArray());
        assertEquals(2, ds.get(0).label());
        assertArrayEquals(new float[] {0.4f, 0.5f}, ds.get(1).input().toFloatArray());
        assertEquals(0, ds.get(1).label());
        assertEquals(3, ds.numClasses());
    }

    @Test
    void noHeaderLastColumnByDefaultOrByIndex() throws IOException {
        Path f = csv("1;2;3\n4;5;6\n");
        TensorDataset last = new CsvReader().header(false).delimiter(';').read(f);
        assertArrayEquals(new float[] {4, 5}, last.get(1).input().toFloatArray());
        assertEquals(6, last.get(1).label());
        TensorDataset first = new CsvReader().header(false).delimiter(';').labelColumn(0).read(f);
        assertArrayEquals(new float[] {2, 3}, first.get(0).input().toFloatArray());
        assertEquals(1, first.get(0).label());
    }

    @Test
    void nonNumericCellNamesLineAndColumn() throws IOException {
        fails(new CsvReader(), "x,y,label\n1,2,0\n3,abc,1\n", "line 3, column 2 (\"y\"): \"abc\" is not a number");
        fails(new CsvReader().header(false), "1,2,0\n3,,1\n", "line 2, column 2: empty cell");
        fails(new CsvReader(), "x,label\nNaN,1\n", "line 2, column 1 (\"x\"): \"NaN\" is not a number");
        fails(new CsvReader(), "x,label\n1e999,1\n", "line 2, column 1 (\"x\"): 1e999 is out of range (beyond float32's 3.4028235E38)");
    }

    @Test
    void valuesBeyondFloatRangeAreErrorsNotInfinity() throws IOException {
        // 1e39 is a finite double, so the old check passed it and the float32 feature became +Inf.
        fails(new CsvReader(), "x,y,label\n1,2,0\n3,-1e39,1\n", "line 3, column 2 (\"y\"): -1e39 is out of range (beyond float32's 3.4028235E38)");
        TensorDataset ok = new CsvReader().read(csv("x,label\n3.4e38,0\n1e-50,1\n"));
        assertEquals(3.4e38f, ok.get(0).input().toFloatArray()[0]);
        assertEquals(0f, ok.get(1).input().toFloatArray()[0], "underflow to zero is not an error");
    }

    @Test
    void binaryFileIsNamedAsNotUtf8() throws IOException {
        Path f = Files.write(dir.resolve("image.csv"), new byte[] {'x', ',', 'y', '\n', (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16});
        DataFileException e = assertThrows(DataFileException.class, () -> new CsvReader().read(f));
        assertEquals(f + ": not UTF-8 text (a binary file?)", e.getMessage());
    }

    @Test
    void labelsBeyondTheClassLimitAreRefusedNamingLineAndLabel() throws IOException {
        // An id column as the label built a 1000001-class, 129M-parameter model and ran out of memory.
        fails(new CsvReader(), "x,id\n1,0\n2,1000000\n", "line 3, column 2 (\"id\"): label 1000000 would make more than 10000 classes"
                + " (labels are class indices 0..9999); is this column an id or a measurement?");
        fails(new CsvReader().maxClasses(3), "x,label\n1,3\n", "line 2, column 2 (\"label\"): label 3 would make more than 3 classes"
                + " (labels are class indices 0..2); is this column an id or a measurement?");
        assertEquals(3, new CsvReader().maxClasses(3).read(csv("x,label\n1,2\n")).numClasses());
    }

    @Test
    void raggedRows() throws IOException {
        fails(new CsvReader(), "x,y,label\n1,2,0\n\n1,2\n", "line 4: 2 cells, but the header has 3 columns");
        fails(new CsvReader().header(false), "1,2,0\n1,2,0,5\n", "line 2: 4 cells, but the first row has 3 columns");
    }

    @Test
    void labelsMustBeClassIndices() throws IOException {
        fails(new CsvReader(), "x,label\n1,0.5\n", "line 2, column 2 (\"label\"): label 0.5 is not a class index (0, 1, 2, ...)");
        fails(new CsvReader(), "x,label\n1,-1\n", "line 2, column 2 (\"label\"): label -1 is not a class index (0, 1, 2, ...)");
    }

    @Test
    void missingLabelColumnOrData() throws IOException {
        fails(new CsvReader().labelColumn("class"), "x,y\n1,2\n", "no column named \"class\"; the header has x, y");
        fails(new CsvReader().labelColumn(5), "x,y\n1,2\n", "label column 5 does not exist: line 1 has 2 columns");
        fails(new CsvReader(), "x,y\n", "no data rows");
        fails(new CsvReader(), "", "no data rows");
        Path f = csv("1,2\n");
        assertThrows(IllegalArgumentException.class, () -> new CsvReader().header(false).labelColumn("y").read(f));
    }
}
