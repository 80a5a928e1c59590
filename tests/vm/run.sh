#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run the cgroup v2 tests in a qemu virtual machine that boots Debian's own
# kernel (package linux-image-amd64) with an initramfs built here. The VM
# mounts cgroup2 alone at /sys/fs/cgroup, runs the test scripts named on the
# command line (default: all of VM_TESTS and VM_SYSTEMD_TESTS below) and
# powers off. Tests named test-systemd*.sh run in a second boot of the VM in
# which systemd is PID 1. This script prints the TAP from the serial console
# and ends with "N passed, N failed".
#
#   tests/vm/run.sh                          every test
#   tests/vm/run.sh test-v2.sh               one test
#
# PROCVIEW_BUILD selects the build directory (default: build). VM_TIMEOUT
# (seconds, default 1200) bounds each boot of the VM.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${PROCVIEW_BUILD:-$top/build}
timeout_s=${VM_TIMEOUT:-1200}

# Test scripts, relative to the repository, in the order they run: VM_TESTS
# with busybox sh as PID 1, then VM_SYSTEMD_TESTS with systemd as PID 1.
VM_TESTS="tests/vm/test-v2.sh tests/integration/test-daemon.sh tests/integration/test-container.sh"
VM_SYSTEMD_TESTS="tests/vm/test-systemd.sh"
if [ $# -gt 0 ]; then
        VM_TESTS=""
        VM_SYSTEMD_TESTS=""
        for t in "$@"; do
                case "$t" in
                */*) ;;
                test-v2.sh | test-systemd*.sh) t=tests/vm/$t ;;
                *) t=tests/integration/$t ;;
                esac
                case "$t" in
                */test-systemd*.sh) VM_SYSTEMD_TESTS="$VM_SYSTEMD_TESTS $t" ;;
                *) VM_TESTS="$VM_TESTS $t" ;;
                esac
        done
fi

# Host programs copied into the VM with their shared libraries. busybox
# provides everything else (mount, insmod, switch_root, poweroff).
HOST_PROGRAMS="
        /usr/bin/bash /usr/bin/cat /usr/bin/chmod /usr/bin/cmp /usr/bin/cp /usr/bin/cut /usr/bin/date
        /usr/bin/dd /usr/bin/dirname /usr/bin/basename /usr/bin/env /usr/bin/find /usr/bin/findmnt
        /usr/bin/getconf /usr/bin/grep /usr/bin/head /usr/bin/id /usr/bin/ln /usr/bin/ls /usr/bin/mawk
        /usr/bin/mkdir /usr/bin/mktemp /usr/bin/mount /usr/bin/nproc /usr/bin/readlink /usr/bin/rm
        /usr/bin/rmdir /usr/bin/sed /usr/bin/seq /usr/bin/sleep /usr/bin/sort /usr/bin/stat
        /usr/bin/sync /usr/bin/tail /usr/bin/taskset /usr/bin/timeout /usr/bin/tr /usr/bin/truncate
        /usr/bin/umount /usr/bin/uniq /usr/bin/unshare /usr/bin/nsenter /usr/bin/wc /usr/bin/xargs
        /usr/bin/fusermount3 /usr/sbin/runc /usr/sbin/mkswap /usr/sbin/swapon /usr/sbin/swapoff
        /usr/bin/crun /usr/bin/dash /usr/bin/free /usr/bin/top /usr/bin/vmstat /usr/bin/uptime /usr/bin/lscpu
        /usr/bin/pgrep
"

# Kernel modules the VM loads, each after the modules it depends on.
VM_MODULES="virtio_pci virtio_blk crc32c_generic ext4 fuse"

# For the boot with systemd as PID 1: the manager, journald and their
# clients, and the host's units that the services' default dependencies and
# the journal need. tests/vm/systemd adds the unit that runs the tests.
SYSTEMD_PROGRAMS="
        /usr/lib/systemd/systemd /usr/lib/systemd/systemd-journald /usr/bin/systemctl /usr/bin/journalctl
"
SYSTEMD_UNITS="
        basic.target sysinit.target sockets.target paths.target slices.target timers.target
        local-fs.target local-fs-pre.target swap.target shutdown.target
        systemd-journald.service systemd-journald.socket systemd-journald-dev-log.socket
        systemd-journald-audit.socket
"

die() {
        echo "Bail out! check-vm: $*"
        exit 1
}

kernel_version() {
        # linux-image-amd64 depends on exactly one versioned kernel package.
        dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
                sed -nE 's/.*linux-image-([0-9][^ ,]*-amd64).*/\1/p'
}

# copy_program ROOT PATH: copy PATH and the shared libraries it links to.
copy_program() {
        local root=$1 prog=$2 lib
        install -D -m 0755 "$prog" "$root$prog"
        for lib in $(ldd "$prog" 2>/dev/null | grep -oE '/[^ ]+'); do
                [ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
        done
}

# add_systemd ROOT: make ROOT bootable with systemd as PID 1.
add_systemd() {
        local root=$1 prog unit
        for prog in $SYSTEMD_PROGRAMS; do
                copy_program "$root" "$prog"
        done
        for unit in $SYSTEMD_UNITS; do
                install -D -m 0644 "/usr/lib/systemd/system/$unit" "$root/usr/lib/systemd/system/$unit"
        done
        install -D -m 0644 -t "$root/etc/systemd/system" "$top"/tests/vm/systemd/*
        cp /usr/lib/os-release "$root/usr/lib/os-release"
        echo procview-vm >"$root/etc/hostname"
}

# build_initramfs ROOT KVER INIT TESTS: INIT is "busybox" or "systemd", the
# program that runs as PID 1 after init's first stage.
build_initramfs() {
        local root=$1 kver=$2 init=$3 tests=$4 m ko applet
        mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,mnt}
        # Merged /usr as on Debian: containers that bind /usr find the loader and libraries there.
        ln -s usr/lib "$root/lib"
        ln -s usr/lib64 "$root/lib64"

        install -m 0755 /bin/busybox "$root/bin/busybox"
        for applet in $(/bin/busybox --list); do
                [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
        done

        for prog in $HOST_PROGRAMS; do
                copy_program "$root" "$prog"
        done
        ln -sf mawk "$root/usr/bin/awk"
        # test-container.sh binds /usr into containers, which run sh from there,
        # and top needs the terminal descriptions.
        ln -sf dash "$root/usr/bin/sh"
        cp -r /lib/terminfo "$root/usr/lib/"
        rm -f "$root/bin/bash" "$root/bin/sh"
        ln -s /usr/bin/bash "$root/bin/bash"
        ln -s busybox "$root/bin/sh"

        for prog in procviewd procview tests/integration/readcheck tests/integration/readloop; do
                [ -x "$build/$prog" ] || die "missing $build/$prog; run 'make' first"
                copy_program "$root" "$build/$prog"
                mkdir -p "$(dirname "$root/procview/build/$prog")"
                mv "$root$build/$prog" "$root/procview/build/$prog"
        done
        rm -rf "${root:?}$build"
        mkdir -p "$root/procview/tests" "$root/procview/deploy"
        cp -r "$top/tests/integration" "$top/tests/vm" "$root/procview/tests/"
        cp -r "$top/deploy/systemd" "$root/procview/deploy/"

        : >"$root/etc/modules"
        for m in $VM_MODULES; do
                for ko in $(modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'); do
                        grep -qxF "$ko" "$root/etc/modules" && continue
                        install -D -m 0644 "$ko" "$root$ko"
                        echo "$ko" >>"$root/etc/modules"
                done
        done

        echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
        echo "root:x:0:" >"$root/etc/group"
        ln -s /proc/self/mounts "$root/etc/mtab"
        install -m 0755 "$top/tests/vm/init" "$root/init"
        echo "$init" >"$root/etc/vm-init"
        echo "$tests" >"$root/etc/vm-tests"
        [ "$init" = busybox ] || add_systemd "$root"

        (cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$root.cpio"
}

kver=$(kernel_version)
[ -n "$kver" ] || die "linux-image-amd64 is not installed; run 'scripts/install-deps.sh vm'"
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || die "cannot read $kernel"

work=$(mktemp -d /tmp/procview-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT

# KVM when /dev/kvm works, else qemu's software emulation (TCG). A
# /dev/kvm that opens is not enough: in some nested setups a KVM guest hangs
# before the kernel prints anything, so boot the kernel once without a root
# file system and expect its "VFS: Unable to mount root" panic.
kvm_works() {
        [ -w /dev/kvm ] || return 1
        timeout -k 5 10 qemu-system-x86_64 -accel kvm -m 256 -nographic -no-reboot -kernel "$kernel" \
                -append "console=ttyS0 panic=-1" </dev/null 2>/dev/null | grep -aq 'Unable to mount root'
}
accel="-accel tcg,thread=multi"
if kvm_works; then
        accel="-accel kvm"
fi

passed=0
failed=0
todo=0

# boot_vm INIT TESTS: boot the VM with INIT as PID 1 (see build_initramfs),
# print its console and add its results to passed and failed.
boot_vm() {
        local init=$1 tests=$2 append="console=ttyS0 panic=-1 quiet loglevel=3 rdinit=/init" status start elapsed
        if [ "$init" = systemd ]; then
                append="$append systemd.unit=vm-tests.target systemd.show_status=false"
                append="$append systemd.unified_cgroup_hierarchy=1"
        fi

        build_initramfs "$work/root" "$kver" "$init" "$tests"
        rm -rf "$work/root"

        # A fresh 256 MiB disk for the diskstats and swap tests, mounted at /var/tmp.
        rm -f "$work/disk.img"
        truncate -s 256M "$work/disk.img"
        mkfs.ext4 -q -F -L pvdisk "$work/disk.img"

        echo "# check-vm: booting Linux $kver with $init as PID 1 (initramfs $(du -h "$work/root.cpio" | cut -f1)), tests:$tests"
        start=$(date +%s)
        set +e
        # shellcheck disable=SC2086
        timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 $accel -m 1536 -smp 4 -nographic -no-reboot \
                -kernel "$kernel" -initrd "$work/root.cpio" -append "$append" \
                -drive "file=$work/disk.img,if=virtio,format=raw,cache=none" \
                -nic none </dev/null >"$work/console.raw" 2>&1
        status=$?
        set -e
        tr -d '\r' <"$work/console.raw" >"$work/console.log"
        cat "$work/console.log"
        elapsed=$(($(date +%s) - start))

        # A "not ok" with TAP's TODO directive is a known gap, not a failure.
        passed=$((passed + $(grep -cE '^ok ' "$work/console.log" || true)))
        failed=$((failed + $(grep -E '^not ok ' "$work/console.log" | grep -cv ' # TODO ' || true)))
        todo=$((todo + $(grep -E '^not ok ' "$work/console.log" | grep -c ' # TODO ' || true)))
        echo "# check-vm: the VM with $init as PID 1 ran for ${elapsed}s"
        if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
                echo "not ok - the VM with $init as PID 1 did not finish within ${timeout_s}s"
                failed=$((failed + 1))
        elif ! grep -q '^# vm: done' "$work/console.log"; then
                echo "not ok - the VM with $init as PID 1 did not boot or stopped before the tests finished (qemu exit status $status)"
                failed=$((failed + 1))
        fi
}

[ -z "$VM_TESTS" ] || boot_vm busybox "$VM_TESTS"
[ -z "$VM_SYSTEMD_TESTS" ] || boot_vm systemd "$VM_SYSTEMD_TESTS"

[ "$todo" -eq 0 ] || echo "# check-vm: $todo checks of known gaps (TODO) failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
