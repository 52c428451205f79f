package io.jgrad.kernels.cuda;

import io.jgrad.tensor.spi.MatmulPrecision;
import io.jgrad.tensor.DType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which GEMM kernel a product gets, and the operand struct it is given (no GPU needed). */
class CudaGemmChoiceTest {

    private static CudaGemm.Operand rowMajor(long ld) {
        return new CudaGemm.Operand(null, 0, ld, 1, 0);
    }

    @Test
    void kernelChoice() {
        var a = rowMajor(512);
        var b = rowMajor(512);
        assertEquals(CudaKernel.SGEMM_VEC4, CudaGemm.choose(DType.FLOAT32, 512, 512, 512, a, b, false, 90));
        assertEquals(CudaKernel.SGEMM_TF32, CudaGemm.choose(DType.FLOAT32, 512, 512, 512, a, b, true, 90));
        assertEquals(CudaKernel.SGEMM_VEC4, CudaGemm.choose(DType.FLOAT32, 512, 512, 512, a, b, true, 75), "no TF32 before sm_80");
        assertEquals(CudaKernel.SGEMM_VEC4, CudaGemm.choose(DType.FLOAT32, 512, 512, 512, a, b, true, 86),
                "no TF32 on Ampere/Ada: they load the compute_75 PTX, where the TF32 entry is empty");
        var transposed = new CudaGemm.Operand(null, 0, 1, 512, 0);
        assertEquals(CudaKernel.SGEMM, CudaGemm.choose(DType.FLOAT32, 512, 512, 512, transposed, b, false, 90));
        assertEquals(CudaKernel.SGEMM, CudaGemm.choose(DType.FLOAT32, 512, 512, 512, rowMajor(513), b, false, 90), "rows not 16-byte aligned");
        assertEquals(CudaKernel.SGEMM_SMALL, CudaGemm.choose(DType.FLOAT32, 8, 512, 512, a, b, false, 90));
        assertEquals(CudaKernel.SGEMM_64_VEC4, CudaGemm.choose(DType.FLOAT32, 64, 196, 288, a, b, false, 90), "at most 64 rows: 64 x 128 tiles");
        assertEquals(CudaKernel.SGEMM_64, CudaGemm.choose(DType.FLOAT32, 33, 512, 512, transposed, b, false, 90));
        assertEquals(CudaKernel.SGEMM_VEC4, CudaGemm.choose(DType.FLOAT32, 65, 512, 512, a, b, false, 90));
        assertEquals(CudaKernel.SGEMM_TF32, CudaGemm.choose(DType.FLOAT32, 64, 512, 512, a, b, true, 90));
        assertEquals(CudaKernel.SGEMM_SMALL, CudaGemm.choose(DType.FLOAT32, 32, 32, 32, a, b, true, 90));
        assertEquals(CudaKernel.DGEMM, CudaGemm.choose(DType.FLOAT64, 512, 512, 512, a, b, true, 90), "TF32 is for float32 only");
        assertEquals(CudaKernel.DGEMM_SMALL, CudaGemm.choose(DType.FLOAT64, 3, 5, 7, a, b, false, 90));
    }

    @Test
    void theSecondVariantsAreOptInAndForAlignedRowMajorProducts() {
        var a = rowMajor(512);
        var b = rowMajor(512);
        boolean saved = CudaGemm.secondVariant;
        try {
            CudaGemm.secondVariant = true;
            assertEquals(CudaKernel.SGEMM_V2, CudaGemm.choose(DType.FLOAT32, 512, 512, 512, a, b, false, 90));
            assertEquals(CudaKernel.SGEMM, CudaGemm.choose(DType.FLOAT32, 512, 512, 512, new CudaGemm.Operand(null, 0, 1, 512, 0), b, false, 90));
            assertEquals(CudaKernel.SGEMM_64_VEC4, CudaGemm.choose(DType.FLOAT32, 64, 512, 512, a, b, false, 90));
            assertEquals(CudaKernel.SGEMM_TF32_V2, CudaGemm.choose(DType.FLOAT32, 512, 512, 512, a, b, true, 90));
            assertEquals(CudaKernel.SGEMM_TF32_V2, CudaGemm.choose(DType.FLOAT32, 64, 512, 512, a, b, true, 90));
            assertEquals(CudaKernel.SGEMM_TF32, CudaGemm.choose(DType.FLOAT32, 512, 512, 512, new CudaGemm.Operand(null, 0, 1, 512, 0), b, true, 90));
            assertArrayEquals(new int[] {128, 128}, CudaGemm.outputsPerBlock(CudaKernel.SGEMM_V2));
            assertArrayEquals(new int[] {128, 128}, CudaGemm.outputsPerBlock(CudaKernel.SGEMM_TF32_V2));
            CudaGemm.secondVariant = false;
            assertEquals(CudaKernel.SGEMM_VEC4, CudaGemm.choose(DType.FLOAT32, 512, 512, 512, a, b, false, 90));
            assertEquals(CudaKernel.SGEMM_TF32, CudaGemm.choose(DType.FLOAT32, 512, 512, 512, a, b, true, 90));
        } finally {
            CudaGemm.secondVariant = saved;
        }
    }

    @Test
    void outputsPerBlockOfEachKernel() {
        assertArrayEquals(new int[] {128, 128}, CudaGemm.outputsPerBlock(CudaKernel.SGEMM_VEC4));
        assertArrayEquals(new int[] {128, 128}, CudaGemm.outputsPerBlock(CudaKernel.SGEMM_TF32));
        assertArrayEquals(new int[] {64, 128}, CudaGemm.outputsPerBlock(CudaKernel.SGEMM_64));
        assertArrayEquals(new int[] {64, 64}, CudaGemm.outputsPerBlock(CudaKernel.DGEMM));
        assertArrayEquals(new int[] {16, 16}, CudaGemm.outputsPerBlock(CudaKernel.SGEMM_SMALL));
    }

    @Test
    void vectorisationNeedsAlignedRowMajorOperands() {
        assertTrue(new CudaGemm.Operand(null, 8, 64, 1, 4096).vectorizable());
        assertFalse(new CudaGemm.Operand(null, 2, 64, 1, 4096).vectorizable());
        assertFalse(new CudaGemm.Operand(null, 0, 64, 1, 4098).vectorizable());
        assertFalse(new CudaGemm.Operand(null, 0, 1, 64, 0).vectorizable());
    }

    @Test
    void theStructFoldsTheFirstBatchIntoTheOffset() {
        assertArrayEquals(new long[] {10 + 3 * 100, 7, 1, 100}, new CudaGemm.Operand(null, 10, 7, 1, 100).struct(3));
    }

    @Test
    void tf32FollowsTheSystemPropertyOffByDefault() {
        assertEquals(Boolean.getBoolean(MatmulPrecision.PROPERTY), MatmulPrecision.allowTf32());
    }
}
