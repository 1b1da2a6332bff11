#!/bin/sh
# Seeds the fuzz corpus with the fixtures: each fixtures/*.py as it is, and each package
# fixture as one input, its modules joined by NUL bytes, each module preceded by a line with
# its path (the format fuzz_targets/pipeline.rs reads).
set -eu
cd "$(dirname "$0")"
corpus=corpus/pipeline
mkdir -p "$corpus"
for f in ../fixtures/*.py; do
    cp "$f" "$corpus/$(basename "$f")"
done
for dir in ../fixtures/*/; do
    pkg=$(basename "$dir")
    [ -f "$dir/__init__.py" ] || continue
    out="$corpus/$pkg.pkg"
    : > "$out"
    first=1
    for f in $(cd ../fixtures && find "$pkg" -name '*.py' | sort); do
        [ "$first" = 1 ] || printf '\000' >> "$out"
        first=0
        printf '%s\n' "$f" >> "$out"
        cat "../fixtures/$f" >> "$out"
    done
done
echo "seeded $(ls "$corpus" | wc -l) inputs into fuzz/$corpus"
