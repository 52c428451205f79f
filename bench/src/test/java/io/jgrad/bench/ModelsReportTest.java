package io.jgrad.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The logic of 'jgrad bench models' that needs no timing: options, the anchor's output, the statistics, the table. */
class ModelsReportTest {

    private static final ModelsTable.Row LSTM_TRAIN = new ModelsTable.Row("lstm", ModelsTable.Workload.TRAIN);
    private static final ModelsTable.Row LSTM_B1 = new ModelsTable.Row("lstm", ModelsTable.Workload.INFER_1);

    @Test
    void optionsDefaultToEveryModelAndThreeRounds() {
        ModelsReport.Options o = ModelsReport.Options.parse(new String[0]);
        assertEquals(List.of("mlp", "cnn", "lstm", "gru", "transformer"), o.models());
        assertEquals(3, o.rounds());
    }

    @Test
    void optionsTakeModelsAndRoundsInBothSpellings() {
        ModelsReport.Options o = ModelsReport.Options.parse(new String[]{"--models", "mlp, lstm,mlp", "--rounds=5"});
        assertEquals(List.of("mlp", "lstm"), o.models());
        assertEquals(5, o.rounds());
        assertEquals(List.of("gru"), ModelsReport.Options.parse(new String[]{"--models=gru", "--rounds", "1"}).models());
    }

    @Test
    void badOptionsSayWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelsReport.Options.parse(new String[]{"--models", "mlp,resnet"}))
                .getMessage().contains("unknown model 'resnet'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelsReport.Options.parse(new String[]{"--rounds", "0"}))
                .getMessage().contains("--rounds expects a positive integer, got '0'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelsReport.Options.parse(new String[]{"--rounds"}))
                .getMessage().contains("--rounds needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelsReport.Options.parse(new String[]{"--fast"}))
                .getMessage().contains("unknown option '--fast'"));
    }

    @Test
    void anchorsKeepTheCallersAllocatorAndOtherwiseGetGlibcKeepingMemory() {
        assertNull(PythonAnchor.callerChoseAllocator(Map.of("PATH", "/usr/bin", "LD_PRELOAD", "libfoo.so")));
        assertEquals("LD_PRELOAD=/usr/lib/libjemalloc.so.2", PythonAnchor.callerChoseAllocator(Map.of("LD_PRELOAD", "/usr/lib/libjemalloc.so.2")));
        assertEquals("GLIBC_TUNABLES=glibc.malloc.top_pad=1 MALLOC_ARENA_MAX=2",
                PythonAnchor.callerChoseAllocator(Map.of("MALLOC_ARENA_MAX", "2", "GLIBC_TUNABLES", "glibc.malloc.top_pad=1")));
        assertEquals(List.of("MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_TRIM_THRESHOLD_"), List.copyOf(PythonAnchor.MALLOC_KEEPING_MEMORY.keySet()));
    }

    @Test
    void anchorOutputIsParsedIntoValuesInfoAndNotes() {
        PythonAnchor.Result r = PythonAnchor.parse("""
                info.torch 1.13.0a0
                info.capability AVX512
                some library chatter without a number
                torch.lstm.train 0.25
                torch.lstm.infer1 1.5e-4
                note first
                note second
                """);
        assertEquals(Map.of("torch.lstm.train", 0.25, "torch.lstm.infer1", 1.5e-4), r.values());
        assertEquals("AVX512", r.info().get("capability"));
        assertEquals("first; second", r.note());
        assertNull(PythonAnchor.parse("torch.mlp.train 1\n").note());
    }

    @Test
    void aMissingOptimisedBlasIsAWarning() {
        assertEquals(PythonAnchor.BLAS_MISSING, PythonAnchor.blasWarning(PythonAnchor.parse("info.blas none\n")));
        assertNull(PythonAnchor.blasWarning(PythonAnchor.parse("info.blas openblas:Cooperlake\n")));
        assertNull(PythonAnchor.blasWarning(PythonAnchor.parse("torch.mlp.train 1\n")));
    }

    @Test
    void workloadKeysMatchWhatTheScriptPrints() {
        assertEquals("torch.lstm.train", ModelsTable.Workload.TRAIN.key("lstm"));
        assertEquals("torch.gru.infer1", ModelsTable.Workload.INFER_1.key("gru"));
        assertEquals("torch.mlp.infer32", ModelsTable.Workload.INFER_32.key("mlp"));
        assertTrue(ModelsReport.SCRIPT.contains("'torch.%s.train'") && ModelsReport.SCRIPT.contains("'torch.%s.infer%d'"), ModelsReport.SCRIPT);
    }

    @Test
    void summaryIsMinimumAndMedianOverRounds() {
        ModelsTable t = new ModelsTable(List.of("lstm"));
        for (double v : new double[]{0.30, 0.10, 0.20, 0.50}) t.addJgrad(LSTM_TRAIN, v);
        t.addTorch(Map.of("torch.lstm.train", 0.40));
        t.addTorch(Map.of("torch.lstm.train", 0.20, "torch.lstm.infer1", 1e-4));
        t.addTorch(Map.of("torch.lstm.train", 0.30));
        assertEquals(0.10, t.jgrad(LSTM_TRAIN).min(), 1e-12);
        assertEquals(0.25, t.jgrad(LSTM_TRAIN).median(), 1e-12);
        assertEquals(0.30, t.torch(LSTM_TRAIN).median(), 1e-12);
        assertEquals(0.25 / 0.30, t.medianRatio(LSTM_TRAIN), 1e-12);
        assertEquals(0.10 / 0.20, t.minRatio(LSTM_TRAIN), 1e-12);
        // a row without jgrad samples has no ratio and does not enter the geometric mean
        assertTrue(Double.isNaN(t.medianRatio(LSTM_B1)));
        assertEquals(0.25 / 0.30, t.geometricMeanRatio(), 1e-12);
    }

    @Test
    void geometricMeanOfRatiosAndAnchorSpeedup() {
        ModelsTable t = new ModelsTable(List.of("lstm"));
        t.addJgrad(LSTM_TRAIN, 2.0);
        t.addJgrad(LSTM_B1, 1.0);
        t.addTorch(Map.of("torch.lstm.train", 1.0, "torch.lstm.infer1", 2.0));
        assertEquals(1.0, t.geometricMeanRatio(), 1e-12);
        assertEquals(2.0, ModelsReport.speedup(Map.of("a", 4.0, "b", 1.0, "c", 9.0), Map.of("a", 1.0, "b", 1.0)), 1e-12);
        assertTrue(Double.isNaN(ModelsReport.speedup(Map.of("a", 1.0), Map.of())));
        assertEquals(Map.of("a", 1.0, "b", 2.0, "c", 3.0, "d", 4.0),
                ModelsReport.fasterOf(Map.of("a", 1.0, "b", 5.0, "c", 3.0), Map.of("a", 1.5, "b", 2.0, "d", 4.0)));
        assertEquals(Map.of("torch.gru.train", 1.0, "torch.gru.infer1", 2.0),
                ModelsReport.valuesOf(Map.of("torch.gru.train", 1.0, "torch.gru.infer1", 2.0, "torch.lstm.train", 3.0, "torch.grux.train", 4.0), "gru"));
    }

    @Test
    void tablePutsRatiosLastWithUnitsAndNa() {
        ModelsTable t = new ModelsTable(List.of("lstm"));
        t.addJgrad(LSTM_TRAIN, 0.5);
        t.addTorch(Map.of("torch.lstm.train", 0.25));
        t.addJgrad(LSTM_B1, 80e-6);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        t.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), 1);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.get(0).endsWith("ratio med ratio min"), lines.get(0));
        assertEquals("lstm         train step |  500.00 ms  500.00 ms |  250.00 ms  250.00 ms |      2.00      2.00", lines.get(1));
        assertEquals("lstm         infer b1   |    80.0 us    80.0 us |        n/a        n/a |       n/a       n/a", lines.get(2));
        assertTrue(lines.get(4).contains("1 round;"), lines.get(4));
        assertEquals("models jgrad/pytorch (geometric mean of median ratios): 2.00", lines.get(5));
    }
}
