#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the Debian packages that building, testing and the demo need.
# Runs as root on Debian 12 or later; does nothing when all are present.
#
#   scripts/install-deps.sh        build, tests and demo
#   scripts/install-deps.sh vm     instead, what tests/vm/run.sh (make
#                                  check-vm) needs: qemu, Debian's own kernel
#                                  and the tools it copies into the VM,
#                                  systemd among them
set -eu

packages="
        build-essential
        meson
        ninja-build
        pkg-config
        libfuse3-dev
        fuse3
        libjson-c-dev
        libsystemd-dev
        libseccomp-dev
        liburing-dev
        runc
        crun
        busybox-static
        procps
        util-linux
        python3-yaml
        jq
        python3
        sysstat
        clang-format
        clang
        libclang-rt-dev
"

vm_packages="
        qemu-system-x86
        linux-image-amd64
        kmod
        cpio
        e2fsprogs
        busybox-static
        systemd
        runc
        crun
        procps
        dash
        ncurses-base
        bash
        coreutils
        diffutils
        findutils
        grep
        sed
        mawk
        util-linux
        fuse3
        libc-bin
"

case "${1:-}" in
"") ;;
vm) packages=$vm_packages ;;
*)
        echo "install-deps: unknown package group '$1'; pass nothing or 'vm'." >&2
        exit 2
        ;;
esac

missing=""
for p in $packages; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
                missing="$missing $p"
        fi
done

if [ -z "$missing" ]; then
        exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing packages:$missing; run 'make deps' as root or install them with apt-get." >&2
        exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
