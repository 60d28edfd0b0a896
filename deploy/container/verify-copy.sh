#!/usr/bin/env bash
# Proves, without a container engine, that deploy/container/Containerfile's build stage copies
# everything cargo needs. It replays the stage in a temporary directory: COPY lines take files
# from the build context (the repository minus .containerignore), RUN lines that only make stub
# files run as written, and wherever the stage runs cargo, `cargo metadata --locked --offline`
# must load the workspace from what is there. After the last step, the root package's sources,
# build script and embedded files (include_str!, sqlx::migrate!, askama templates) must be the real ones, not
# stubs. It also checks that the image's VERSION label matches Cargo.toml.
# Needs the dependencies in cargo's cache (`cargo fetch` first) and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
containerfile=deploy/container/Containerfile

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
context="$tmp/context" work="$tmp/stage"
mkdir -p "$context" "$work"

fail() {
    echo "verify-copy: $*" >&2
    exit 1
}

# The context as the engine sees it. tar matches each pattern at any depth, so it may leave out
# more than the engine would, never less: a pass here is conservative.
grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' .containerignore | sed 's#^\*\*/##' >"$tmp/ignore"
if grep -q '^!' "$tmp/ignore"; then
    fail "negated patterns in .containerignore are not supported"
fi
tar -C "$root" --exclude-from="$tmp/ignore" -cf - . | tar -C "$context" -xf -

# The Containerfile as logical instructions: comment lines dropped, continuation lines joined.
instructions() {
    awk '/^[[:space:]]*#/ { next }
         { line = line $0 }
         /\\$/ { sub(/\\$/, "", line); next }
         { if (line ~ /[^[:space:]]/) print line; line = "" }' "$containerfile"
}

workdir=/
copy() {
    local args=() arg src dest target matches m
    for arg in "$@"; do
        case "$arg" in
            --from=*) fail "COPY --from in the build stage cannot be replayed" ;;
            --*) ;;
            \[*) fail "the JSON form of COPY cannot be replayed: $*" ;;
            *) args+=("$arg") ;;
        esac
    done
    dest="${args[-1]}"
    unset 'args[-1]'
    [[ "$dest" == /* ]] || dest="$workdir/$dest"
    target="$work$dest"
    for src in "${args[@]}"; do
        shopt -s nullglob dotglob
        # shellcheck disable=SC2206 # a COPY source may be a glob
        matches=("$context"/$src)
        shopt -u nullglob dotglob
        for m in "${matches[@]}"; do
            [ -e "$m" ] || fail "COPY $src: not in the build context (missing, or left out by .containerignore)"
        done
        [ "${#matches[@]}" -gt 0 ] || fail "COPY $src: nothing in the build context matches"
        for m in "${matches[@]}"; do
            if [ -d "$m" ]; then
                mkdir -p "$target" && cp -a "$m/." "$target/"
            elif [[ "$dest" == */ ]] || [ "${#args[@]}" -gt 1 ]; then
                mkdir -p "$target" && cp -a "$m" "$target/"
            else
                mkdir -p "$(dirname "$target")" && cp -a "$m" "$target"
            fi
        done
    done
}

# Only commands that make stub files are replayed; anything else would act on this machine.
replay() {
    local part
    while IFS= read -r part; do
        read -r part _ <<<"$part"
        case "$part" in
            mkdir | touch | echo | printf) ;;
            *) fail "cannot replay 'RUN $1' (only mkdir, touch, echo, printf and cargo steps)" ;;
        esac
    done < <(sed 's/&&/\n/g' <<<"$1")
    (cd "$work$workdir" && bash -euc "$1")
}

steps=0
checkpoint() {
    steps=$((steps + 1))
    if ! (cd "$work$workdir" && cargo metadata --locked --offline --format-version 1 >/dev/null); then
        fail "cargo cannot load the workspace at cargo step $steps of $containerfile"
    fi
    echo "verify-copy: cargo step $steps: the workspace loads from the copied files"
}

in_build=false
while read -r keyword rest; do
    keyword="${keyword^^}"
    if [ "$keyword" = FROM ]; then
        $in_build && break
        if grep -qiE '[[:space:]]as[[:space:]]+build$' <<<"$rest"; then in_build=true; fi
        continue
    fi
    $in_build || continue
    case "$keyword" in
        WORKDIR) workdir="$rest" && mkdir -p "$work$workdir" ;;
        # shellcheck disable=SC2086 # COPY's arguments are words
        COPY) copy $rest ;;
        RUN) if grep -qw cargo <<<"$rest"; then checkpoint; else replay "$rest"; fi ;;
    esac
done < <(instructions)
$in_build || fail "no 'FROM … AS build' stage in $containerfile"
[ "$steps" -gt 0 ] || fail "the build stage never runs cargo"

# The last cargo step must see the real sources: stubs would load but build an empty binary.
built="$work$workdir"
real_paths() {
    cargo metadata --locked --offline --no-deps --format-version 1 | python3 -c '
import json, os, sys
meta = json.load(sys.stdin)
root = os.path.realpath(sys.argv[1])
pkg = next(p for p in meta["packages"] if os.path.dirname(p["manifest_path"]) == root)
paths = set()
for t in pkg["targets"]:
    if set(t["kind"]) & {"lib", "bin", "custom-build"}:
        rel = os.path.relpath(t["src_path"], root)
        paths.add(rel if "custom-build" in t["kind"] else os.path.dirname(rel))
print("\n".join(sorted(paths)))' "$root"
    # Files the code embeds at compile time.
    grep -rhoE 'sqlx::migrate!\("[^"]+"\)' src | sed -E 's/.*\("\.?\/?([^"]+)"\).*/\1/'
    # askama templates, read from templates/ when the crate compiles.
    grep -rhoE '#\[template\(path = "[^"]+"' src | sed -E 's/.*"([^"]+)"$/templates\/\1/'
    grep -rlE 'include_str!\("[^"]+"\)' src | while read -r f; do
        grep -oE 'include_str!\("[^"]+"\)' "$f" | sed -E 's/.*\("([^"]+)"\).*/\1/' |
            while read -r rel; do realpath -m --relative-to="$root" "$(dirname "$f")/$rel"; done
    done
}
while read -r path; do
    [ -e "$built/$path" ] || fail "$path is not copied into the build stage"
    diff -rq "$context/$path" "$built/$path" >/dev/null || fail "$path in the build stage is not the real one (a stub?)"
done < <(real_paths | sort -u)
echo "verify-copy: the real sources, build script and embedded files reach the last cargo step"

version="$(sed -nE 's/^version = "([^"]+)"/\1/p' Cargo.toml | head -1)"
label="$(sed -nE 's/^ARG VERSION=(.*)$/\1/p' "$containerfile")"
[ "$version" = "$label" ] || fail "Containerfile ARG VERSION=$label, Cargo.toml version = $version"
echo "verify-copy: OK ($containerfile, version $version)"
