#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the procview OCI hook on a node: the "procview" binary and the
# oci-hooks(5) file that makes CRI-O and Podman run "procview hook" for
# containers annotated io.procview.enable=true.
#
# The DaemonSet's init container runs it with --root /host, where the host's
# bin and hooks directories are mounted. Paths written into the hook file are
# the final host paths, without the --root prefix, as with DESTDIR.
#
#   install-node.sh [--root DIR] [--bindir DIR] [--hooks-dir DIR]
#                   [--views DIR] [--source-bin FILE] [--source-hook FILE]
#                   [--uninstall]
#
# Each file is written to a temporary name in its target directory and then
# renamed, so a runtime never runs a half-written binary or reads a
# half-written hook file, and a hook process running the old binary keeps it.
# A file that is already identical is left alone. Exits 0 on success and 1
# with a message on stderr otherwise.
set -eu

root=/
bindir=/usr/local/bin
hooks_dir=/usr/share/containers/oci/hooks.d
views=""
source_bin=/usr/local/bin/procview
source_hook=/usr/share/procview/hooks.d/procview.json
uninstall=0

usage() {
        cat <<EOF
Usage: install-node.sh [--root DIR] [--bindir DIR] [--hooks-dir DIR]
                       [--views DIR] [--source-bin FILE] [--source-hook FILE]
                       [--uninstall]
EOF
        exit 0
}

fail() {
        echo "install-node: $*" >&2
        exit 1
}

while [ $# -gt 0 ]; do
        case $1 in
        --root | --bindir | --hooks-dir | --views | --source-bin | --source-hook)
                [ $# -ge 2 ] || fail "missing value for $1."
                ;;
        esac
        case $1 in
        --root) root=$2 ;;
        --bindir) bindir=$2 ;;
        --hooks-dir) hooks_dir=$2 ;;
        --views) views=$2 ;;
        --source-bin) source_bin=$2 ;;
        --source-hook) source_hook=$2 ;;
        --uninstall)
                uninstall=1
                shift
                continue
                ;;
        -h | --help) usage ;;
        *) fail "unknown option '$1'; see --help." ;;
        esac
        shift 2
done

for dir in "$bindir" "$hooks_dir" ${views:+"$views"}; do
        case $dir in
        /*) ;;
        *) fail "'$dir' is not an absolute path." ;;
        esac
done

# The paths are copied into JSON strings by sed, which gives '|' and '&' a
# meaning in its replacement text.
case "$bindir$views" in
*[\"\\|\&]* | *"
"*) fail "paths with quotes, backslashes, '|', '&' or newlines are not supported." ;;
esac

root=${root%/}
dest_bin=$root$bindir/procview
dest_hook=$root$hooks_dir/procview.json

if [ "$uninstall" = 1 ]; then
        rm -f "$dest_hook" "$dest_bin"
        echo "install-node: removed '$dest_hook' and '$dest_bin'."
        exit 0
fi

[ -f "$source_bin" ] || fail "'$source_bin' not found; pass the procview binary with --source-bin."
[ -f "$source_hook" ] || fail "'$source_hook' not found; pass deploy/hooks.d/procview.json with --source-hook."

# install_atomic SOURCE DEST MODE: copy SOURCE to DEST unless it is identical.
install_atomic() {
        tmp_file="$(dirname "$2")/.$(basename "$2").tmp.$$"
        if [ -f "$2" ] && cmp -s "$1" "$2" && [ "$(stat -c %a "$2")" = "$3" ]; then
                echo "install-node: '$2' is up to date."
                return 0
        fi
        cp "$1" "$tmp_file" || {
                rm -f "$tmp_file"
                fail "failed to copy '$1' to '$tmp_file'."
        }
        chmod "$3" "$tmp_file"
        mv -f "$tmp_file" "$2" || {
                rm -f "$tmp_file"
                fail "failed to rename '$tmp_file' to '$2'."
        }
        echo "install-node: installed '$2'."
}

mkdir -p "$root$bindir" "$root$hooks_dir" || fail "failed to create '$root$bindir' or '$root$hooks_dir'."

# In the hooks directory, because the init container's root is read-only.
# Runtimes read only names that end in ".json".
hook_tmp=$(mktemp "$root$hooks_dir/.procview.json.XXXXXX") || fail "failed to create a file in '$root$hooks_dir'."
trap 'rm -f "$hook_tmp"' EXIT

# Point the hook at the installed binary and, with --views, at another views
# directory. sed matches the one spelling the source file uses, so check that
# the edit took: a changed source file must not yield a hook that runs the
# wrong binary.
sed -e "s|\"path\": \"/usr/local/bin/procview\"|\"path\": \"$bindir/procview\"|" \
        ${views:+-e "s|\"args\": \\[\"procview\", \"hook\"\\]|\"args\": [\"procview\", \"hook\", \"--views\", \"$views\"]|"} \
        "$source_hook" >"$hook_tmp"
grep -q "\"path\": \"$bindir/procview\"" "$hook_tmp" ||
        fail "'$source_hook' has no \"path\": \"/usr/local/bin/procview\" line to rewrite."
if [ -n "$views" ]; then
        grep -q "\"--views\", \"$views\"" "$hook_tmp" ||
                fail "'$source_hook' has no \"args\": [\"procview\", \"hook\"] line to rewrite."
fi

# The binary first: the hook file makes runtimes call it.
install_atomic "$source_bin" "$dest_bin" 755
install_atomic "$hook_tmp" "$dest_hook" 644
