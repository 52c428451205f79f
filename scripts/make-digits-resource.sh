#!/usr/bin/env bash
# Rebuilds the embedded "digits" dataset (data/src/main/resources/io/jgrad/data/digits/) from MNIST:
# the first 5000 training images and labels, and the first 1000 test images and labels, as gzipped IDX
# files with the original format (only the count in the header changes).
#
#   scripts/make-digits-resource.sh [MNIST_DIR]   (default: ~/.cache/jgrad/mnist, filled by fetch-mnist.sh)
#
# `gzip -n` leaves out the name and time stamp, so a rerun writes byte-identical files.
set -euo pipefail
cd "$(dirname "$0")/.."

src="${1:-$HOME/.cache/jgrad/mnist}"
out=data/src/main/resources/io/jgrad/data/digits
train=5000
test=1000

[[ -f "$src/train-images-idx3-ubyte" ]] || scripts/fetch-mnist.sh "$src"

# A 32-bit big-endian integer as four raw bytes.
be32() {
  printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))"
  printf "\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"
}

# The COUNT bytes of file NAME after its first SKIP bytes (dd, not tail | head: with pipefail, head closing
# the pipe early would fail the script).
bytes() {
  dd if="$src/$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none
}

# images NAME COUNT: the header (magic 0x00000803, count, 28, 28), then the first COUNT 28x28 images.
images() {
  { printf '\x00\x00\x08\x03'; be32 "$2"; be32 28; be32 28; bytes "$1" 16 $(($2 * 784)); } | gzip -9 -n > "$out/$1.gz"
}

# labels NAME COUNT: the header (magic 0x00000801, count), then the first COUNT labels.
labels() {
  { printf '\x00\x00\x08\x01'; be32 "$2"; bytes "$1" 8 "$2"; } | gzip -9 -n > "$out/$1.gz"
}

mkdir -p "$out"
images train-images-idx3-ubyte $train
labels train-labels-idx1-ubyte $train
images t10k-images-idx3-ubyte $test
labels t10k-labels-idx1-ubyte $test
ls -l "$out"
