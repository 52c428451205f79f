package io.jgrad.cli.parity;

import io.jgrad.tensor.io.SafeTensorsFile;

import java.util.List;

/**
 * A fixture that is a sequence rather than one op: optimiser steps ({@code optim.*}), learning-rate
 * schedules ({@code lr_scheduler.*}) and end-to-end training ({@code e2e.*}). Returns one line per mismatch
 * (empty when everything matches, use {@link ParityRunner#compare} for tensors); throws
 * {@link UnsupportedCase} for arguments jgrad does not implement.
 */
@FunctionalInterface
interface TrajectoryCase {
    List<String> check(SafeTensorsFile fixture, Attrs attrs, double rtol, double atol);
}
