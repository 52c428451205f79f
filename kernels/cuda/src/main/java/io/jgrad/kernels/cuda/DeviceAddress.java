package io.jgrad.kernels.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * The numeric address behind a {@link CUdeviceptr}, for tables of pointers that kernels read (the multi-tensor
 * optimiser step). JCuda keeps it protected; a subclass may read its own copy of the pointer.
 */
final class DeviceAddress extends CUdeviceptr {

    private DeviceAddress(CUdeviceptr pointer) {
        super(pointer);
    }

    /** The device address {@code pointer} stands for, its byte offset included. */
    static long of(CUdeviceptr pointer) {
        DeviceAddress copy = new DeviceAddress(pointer);
        return copy.getNativePointer() + copy.getByteOffset();
    }
}
