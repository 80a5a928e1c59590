#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Root integration test of the node-side pieces of deploy/kubernetes/:
# install-node.sh run against a temporary root, the oci-hooks(5) file it
# installs, that file's hook injected into runc and crun bundles the way
# CRI-O injects it (only for containers annotated io.procview.enable=true),
# the readiness probe's command against a live and a stopped daemon, and the
# keys of the manifests and the Dockerfile that docs/kubernetes.md describes.
#
# No Kubernetes cluster, CRI-O or image build runs here. The install script
# writes only below this run's directory; a check compares the real
# /usr/local/bin and /usr/share/containers/oci/hooks.d before and after.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root

for tool in runc crun busybox python3; do
        if ! command -v "$tool" >/dev/null; then
                echo "1..0 # SKIP $tool is not installed"
                exit 0
        fi
done
if ! python3 -c 'import yaml' 2>/dev/null; then
        echo "1..0 # SKIP python3-yaml is not installed (scripts/install-deps.sh installs it)"
        exit 0
fi

K8S=$TOP/deploy/kubernetes
INSTALL=$K8S/install-node.sh
HOOK_SOURCE=$TOP/deploy/hooks.d/procview.json
WORK=$(mktemp -d "/tmp/$TEST_ID.XXXXXX")
on_exit "rm -rf '$WORK'"
ROOTFS=$WORK/rootfs
REGISTRY=/run/procview/containers
LIMIT_LINE="MemTotal:          51200 kB"
HOST_DIRS="/usr/local/bin /usr/share/containers/oci/hooks.d"

# ---- helpers --------------------------------------------------------------

# host_snapshot: names, sizes and times of the files in the real directories
# that install-node.sh writes on a node.
host_snapshot() {
        local d
        for d in $HOST_DIRS; do
                [ -d "$d" ] && find "$d" -maxdepth 1 -printf '%p %s %T@ %C@\n'
        done | sort
}

# check_hook_schema FILE: check FILE against the 1.0.0 schema of oci-hooks(5)
# and the hook entry of the OCI runtime specification.
check_hook_schema() {
        python3 - "$1" <<'EOF'
import json, re, sys

STAGES = {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}
WHEN = {"always", "annotations", "commands", "hasBindMounts"}

with open(sys.argv[1]) as f:
    doc = json.load(f)
errors = []
if doc.get("version") != "1.0.0":
    errors.append("version is not \"1.0.0\"")
hook = doc.get("hook")
if not isinstance(hook, dict):
    errors.append("hook is not an object")
    hook = {}
if not isinstance(hook.get("path"), str) or not hook["path"].startswith("/"):
    errors.append("hook.path is not an absolute path")
args = hook.get("args", [])
if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
    errors.append("hook.args is not an array of strings")
timeout = hook.get("timeout", 1)
if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
    errors.append("hook.timeout is not a positive integer")
when = doc.get("when")
if not isinstance(when, dict) or not when or not set(when) <= WHEN:
    errors.append("when is not an object with at least one of " + ", ".join(sorted(WHEN)))
    when = {}
for key, value in when.get("annotations", {}).items():
    try:
        re.compile(key)
        re.compile(value)
    except re.error as e:
        errors.append("invalid annotation expression: %s" % e)
stages = doc.get("stages")
if not isinstance(stages, list) or not stages or not set(stages) <= STAGES:
    errors.append("stages is not a non-empty array of OCI hook stages")
for e in errors:
    print("# " + e)
sys.exit(1 if errors else 0)
EOF
}

# inject_hook HOOK_FILE CONFIG ROOT: add the hook of HOOK_FILE to the bundle
# CONFIG when its "when" conditions match CONFIG's annotations, as CRI-O and
# Podman do: every annotation pair of "when" must match one of the
# container's pairs. The hook's path is taken below ROOT, where
# install-node.sh put the binary. Prints "injected" or "not injected".
inject_hook() {
        python3 - "$@" <<'EOF'
import json, re, sys

hook_file, config_file, root = sys.argv[1:4]
with open(hook_file) as f:
    spec = json.load(f)
with open(config_file) as f:
    config = json.load(f)

annotations = config.get("annotations", {})
when = spec["when"]
matched = when.get("always", False) or all(
    any(re.search(k, key) and re.search(v, value) for key, value in annotations.items())
    for k, v in when.get("annotations", {}).items())
if not matched:
    print("not injected")
    sys.exit(0)

hook = dict(spec["hook"])
hook["path"] = root.rstrip("/") + hook["path"]
for stage in spec["stages"]:
    config.setdefault("hooks", {}).setdefault(stage, []).append(hook)
with open(config_file, "w") as f:
    json.dump(config, f, indent=2)
print("injected")
EOF
}

make_rootfs() {
        local applet
        mkdir -p "$ROOTFS/bin" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev" "$ROOTFS/tmp" || return 1
        cp "$(command -v busybox)" "$ROOTFS/bin/busybox" || return 1
        for applet in sh cat head grep sleep; do
                ln -sf busybox "$ROOTFS/bin/$applet"
        done
}

# write_bundle BUNDLE NAME ANNOTATIONS [COMMAND]: a bundle whose container
# has a 50 MiB memory limit and runs "sh -c COMMAND", by default printing its
# first meminfo line and the number of procview mounts it sees. ANNOTATIONS
# is the JSON object of its annotations.
write_bundle() {
        local command=${4:-head -1 /proc/meminfo; grep -c fuse.procview /proc/self/mountinfo}
        mkdir -p "$1"
        cat >"$1/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ "sh", "-c", "$command" ],
    "env": [ "PATH=/bin" ],
    "cwd": "/",
    "noNewPrivileges": true
  },
  "root": { "path": "$ROOTFS", "readonly": true },
  "hostname": "$2",
  "annotations": $3,
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "mode=755" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] }
  ],
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" }, { "type": "uts" } ],
    "resources": { "memory": { "limit": 52428800 } },
    "cgroupsPath": "/$TEST_ID/$2"
  }
}
EOF
}

# run_container RUNTIME NAME BUNDLE: run the container to its end with this
# run's state directory. crun 1.8 rejects a hybrid cgroup layout, so it runs
# in a private mount namespace without the cgroup2 mount, as "procview run"
# does it.
run_container() {
        if [ "$1" = runc ]; then
                runc --root "$WORK/runc" run --bundle "$3" "$2" </dev/null 2>&1
                return
        fi
        unshare -m sh -c '
                mount --make-rprivate /
                if [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
                        umount -l /sys/fs/cgroup/unified
                fi
                exec crun "$@"' sh --root "$WORK/crun" run --bundle "$3" "$2" </dev/null 2>&1
}

# delete_container RUNTIME NAME: remove a container left behind by a failed run.
delete_container() {
        "$1" --root "$WORK/$1" delete --force "$2"
        rm -f "$REGISTRY/$2.json"
}

# remove_test_cgroups: the parent cgroups the runtimes created for this run.
remove_test_cgroups() {
        local d
        for d in "$CG_ROOT/$TEST_ID" "$CG_ROOT"/*/"$TEST_ID"; do
                [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \;
        done
}

# yaml_get FILE KIND EXPRESSION: evaluate the Python EXPRESSION on the
# document of FILE whose kind is KIND, bound to "d", and print the result
# as JSON.
yaml_get() {
        python3 - "$@" <<'EOF'
import json, sys, yaml

path, kind, expression = sys.argv[1:4]
with open(path) as f:
    docs = [d for d in yaml.safe_load_all(f) if d and d.get("kind") == kind]
if len(docs) != 1:
    sys.exit("%s: %d documents of kind %s" % (path, len(docs), kind))
d = docs[0]
pod = d["spec"]["template"]["spec"] if kind == "DaemonSet" else d.get("spec")
ctr = pod["containers"][0] if pod else None
init = (pod.get("initContainers") or [None])[0] if pod else None


def mount(container, path):
    return next(m for m in container["volumeMounts"] if m["mountPath"] == path)


def volume(name):
    return next(v for v in pod["volumes"] if v["name"] == name)


def host_path(container, path):
    return volume(mount(container, path)["name"])["hostPath"]


print(json.dumps(eval(expression)))
EOF
}

# ---- install-node.sh --------------------------------------------------------

test_install() {
        local root=$WORK/root out

        out=$("$INSTALL" --root "$root" --source-bin "$PROCVIEW" --source-hook "$HOOK_SOURCE" 2>&1)
        is "install: exit status" "$?" 0
        is "install: binary mode" "$(stat -c %a "$root/usr/local/bin/procview")" 755
        is "install: hook file mode" "$(stat -c %a "$root/usr/share/containers/oci/hooks.d/procview.json")" 644
        ok "install: binary copied" cmp -s "$PROCVIEW" "$root/usr/local/bin/procview"
        ok "install: default hook file unchanged" cmp -s "$HOOK_SOURCE" "$root/usr/share/containers/oci/hooks.d/procview.json"
        is "install: no files besides the two" "$(find "$root" -type f | wc -l)" 2
        ok "install: hook file follows oci-hooks(5)" check_hook_schema "$root/usr/share/containers/oci/hooks.d/procview.json"

        out=$("$INSTALL" --root "$root" --source-bin "$PROCVIEW" --source-hook "$HOOK_SOURCE" 2>&1)
        is "install twice: exit status" "$?" 0
        is "install twice: both up to date" "$(grep -c 'is up to date' <<<"$out")" 2

        out=$("$INSTALL" --root "$root" --uninstall 2>&1)
        is "uninstall: exit status" "$?" 0
        is "uninstall: no files left" "$(find "$root" -type f | wc -l)" 0
}

test_install_options() {
        local root=$WORK/root-options hook out status

        "$INSTALL" --root "$root" --bindir /opt/procview/bin --hooks-dir /etc/containers/oci/hooks.d \
                --views /srv/procview --source-bin "$PROCVIEW" --source-hook "$HOOK_SOURCE" >/dev/null
        is "install options: exit status" "$?" 0
        hook=$root/etc/containers/oci/hooks.d/procview.json
        is "install options: hook path" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hook"]["path"])' "$hook")" \
                /opt/procview/bin/procview
        is "install options: hook args" "$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["hook"]["args"]))' "$hook")" \
                "procview hook --views /srv/procview"
        ok "install options: binary installed" test -x "$root/opt/procview/bin/procview"
        ok "install options: hook file follows oci-hooks(5)" check_hook_schema "$hook"

        out=$("$INSTALL" --root "$root" --views relative/dir --source-bin "$PROCVIEW" --source-hook "$HOOK_SOURCE" 2>&1)
        status=$?
        is "install relative views: exit status" "$status" 1
        ok "install relative views: message" grep -q "'relative/dir' is not an absolute path" <<<"$out"

        out=$("$INSTALL" --root "$root" --source-bin "$WORK/missing" --source-hook "$HOOK_SOURCE" 2>&1)
        status=$?
        is "install missing binary: exit status" "$status" 1
        ok "install missing binary: message" grep -q "'$WORK/missing' not found" <<<"$out"
}

# ---- the hook in runc and crun ------------------------------------------------

test_hook_injected() {
        local runtime=$1 hook_file=$2 root=$3 name bundle out

        name="$TEST_ID-k8s-$runtime"
        bundle=$WORK/bundle-$runtime
        on_exit "delete_container $runtime '$name'"
        write_bundle "$bundle" "$name" '{ "io.procview.enable": "true", "io.kubernetes.pod.name": "web" }'
        is "$runtime annotated: hook injected" "$(inject_hook "$hook_file" "$bundle/config.json" "$root")" injected
        out=$(run_container "$runtime" "$name" "$bundle")
        is "$runtime annotated: meminfo view" "$(sed -n 1p <<<"$out")" "$LIMIT_LINE"
        is "$runtime annotated: eight views bound" "$(sed -n 2p <<<"$out")" 8
        [ "$(sed -n 1p <<<"$out")" = "$LIMIT_LINE" ] || sed 's/^/#   /' <<<"$out"
}

test_hook_not_injected() {
        local runtime=$1 hook_file=$2 root=$3 name bundle out

        name="$TEST_ID-k8s-off-$runtime"
        bundle=$WORK/bundle-off-$runtime
        on_exit "delete_container $runtime '$name'"
        write_bundle "$bundle" "$name" '{ "io.procview.enable": "false" }'
        is "$runtime not annotated: hook not injected" "$(inject_hook "$hook_file" "$bundle/config.json" "$root")" "not injected"
        out=$(run_container "$runtime" "$name" "$bundle")
        is "$runtime not annotated: host meminfo" "$(sed -n 1p <<<"$out")" "$(head -1 /proc/meminfo)"
        is "$runtime not annotated: no view bound" "$(sed -n 2p <<<"$out")" 0
}

# ---- the readiness probe ------------------------------------------------------

# probe_command: the DaemonSet's readiness command, aimed at this run's mount.
probe_command() {
        yaml_get "$K8S/procviewd.yaml" DaemonSet 'ctr["readinessProbe"]["exec"]["command"]' |
                python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))' |
                sed "s|^/var/lib/procview/views/|$MNT/|"
}

# fails COMMAND...: succeed when COMMAND fails.
fails() {
        ! "$@"
}

test_readiness_probe() {
        local -a probe

        mapfile -t probe < <(probe_command)
        ok "probe: reads the views directory" grep -q "^$MNT/proc/meminfo\$" < <(printf '%s\n' "${probe[@]}")
        ok "probe: ready with a serving daemon" "${probe[@]}"

        # A killed daemon leaves a dead mount ("Transport endpoint is not connected").
        kill -KILL "$DAEMON_PID"
        wait "$DAEMON_PID" 2>/dev/null
        DAEMON_PID=""
        ok "probe: dead mount still mounted" grep -q " $MNT .*fuse.procview" /proc/self/mountinfo
        ok "probe: not ready on a dead mount" fails "${probe[@]}" 2>/dev/null
        stop_daemon
}

# ---- the daemon in its own mount namespace -------------------------------------

# start_pod_daemon DIR: start procviewd on DIR in a new mount namespace
# whose copy of DIR is a peer of the host's, as kubelet sets up a volume
# with mountPropagation: Bidirectional. Sets POD_DAEMON_PID.
start_pod_daemon() {
        local i
        unshare -m --propagation unchanged "$PROCVIEWD" "$1" 2>>"$WORK/pod-daemon.log" &
        POD_DAEMON_PID=$!
        for i in $(seq 1 100); do
                grep -q " $1 .*fuse.procview" /proc/self/mountinfo && [ -r "$1/proc/meminfo" ] && return 0
                kill -0 "$POD_DAEMON_PID" 2>/dev/null || break
                sleep 0.05
        done
        diag "procviewd in its own mount namespace did not come up; its log:"
        sed 's/^/#   /' "$WORK/pod-daemon.log"
        return 1
}

stop_pod_daemon() {
        [ -n "${POD_DAEMON_PID:-}" ] || return 0
        kill -TERM "$POD_DAEMON_PID"
        wait "$POD_DAEMON_PID" 2>/dev/null
        POD_DAEMON_PID=""
}

# wait_for_line NAME LINE: wait up to 10 s until the container's first
# meminfo line is LINE.
wait_for_line() {
        local i
        for i in $(seq 1 200); do
                [ "$(runc --root "$WORK/runc" exec "$1" head -1 /proc/meminfo 2>/dev/null)" = "$2" ] && return 0
                sleep 0.05
        done
        return 1
}

# The DaemonSet's model: kubelet bind-mounts the host's /var/lib/procview
# into the pod, shared both ways, and procviewd mounts on its "views"
# subdirectory, because it rejects a directory that is a mount point itself.
# The mount propagates to the host, where the runtime's hook binds from it. A
# rolling update stops the old daemon (SIGTERM) and starts a new one in a new
# namespace, which reattaches the running container's views.
test_rolling_update() {
        local shared=$WORK/pod-shared dir=$WORK/pod-shared/views name bundle i out

        mkdir -p "$shared"
        mount --bind "$shared" "$shared" && mount --make-shared "$shared"
        ok "pod: shared views directory" grep -q " $shared .*shared:" /proc/self/mountinfo
        on_exit "umount -R -l '$shared'"
        on_exit stop_pod_daemon
        mkdir -p "$dir"

        ok "pod: daemon started" start_pod_daemon "$dir"
        ok "pod: mount propagated to the host" grep -q " $dir .*fuse.procview" /proc/self/mountinfo

        "$INSTALL" --root "$WORK/root-pod" --views "$dir" --source-bin "$PROCVIEW" --source-hook "$HOOK_SOURCE" >/dev/null
        name="$TEST_ID-k8s-pod"
        bundle=$WORK/bundle-pod
        on_exit "delete_container runc '$name'"
        write_bundle "$bundle" "$name" '{ "io.procview.enable": "true" }' 'sleep 1000'
        inject_hook "$WORK/root-pod/usr/share/containers/oci/hooks.d/procview.json" "$bundle/config.json" \
                "$WORK/root-pod" >/dev/null
        runc --root "$WORK/runc" run --bundle "$bundle" "$name" </dev/null >/dev/null 2>"$bundle.err" &
        for i in $(seq 1 200); do
                [ -e "$REGISTRY/$name.json" ] && break
                sleep 0.05
        done
        ok "pod: container recorded" test -e "$REGISTRY/$name.json"
        ok "pod: container sees the view" wait_for_line "$name" "$LIMIT_LINE"

        stop_pod_daemon
        ok "pod: unmount propagated to the host" fails grep -q " $dir .*fuse.procview" /proc/self/mountinfo
        out=$(runc --root "$WORK/runc" exec "$name" head -1 /proc/meminfo 2>&1)
        ok "pod: view dead between the pods" grep -q "not connected" <<<"$out"

        ok "pod: new daemon started" start_pod_daemon "$dir"
        ok "pod: new daemon reattached the view" wait_for_line "$name" "$LIMIT_LINE"
        stop_pod_daemon
        runc --root "$WORK/runc" kill "$name" KILL
        wait
}

# ---- manifests and image ------------------------------------------------------

# is_yaml DESCRIPTION FILE KIND EXPRESSION EXPECTED_JSON
is_yaml() {
        is "$1" "$(yaml_get "$2" "$3" "$4" 2>&1)" "$5"
}

test_manifests() {
        local ds=$K8S/procviewd.yaml pod=$K8S/example-pod.yaml

        ok "yaml: every file parses" python3 -c '
import sys, yaml
for path in sys.argv[1:]:
    list(yaml.safe_load_all(open(path)))' "$K8S"/*.yaml

        is_yaml "namespace: privileged pods allowed" "$ds" Namespace \
                'd["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]' '"privileged"'
        is_yaml "daemonset: namespace" "$ds" DaemonSet 'd["metadata"]["namespace"]' '"procview"'
        is_yaml "daemonset: hostPID" "$ds" DaemonSet 'pod["hostPID"]' true
        is_yaml "daemonset: no surge" "$ds" DaemonSet 'd["spec"]["updateStrategy"]["rollingUpdate"]["maxSurge"]' 0
        is_yaml "daemonset: privileged" "$ds" DaemonSet 'ctr["securityContext"]["privileged"]' true
        is_yaml "daemonset: procviewd in the host cgroup namespace" "$ds" DaemonSet \
                '"exec nsenter --cgroup=/proc/1/ns/cgroup -- /usr/local/sbin/procviewd /var/lib/procview/views" in ctr["command"][-1]' true
        is_yaml "daemonset: /dev/fuse" "$ds" DaemonSet 'host_path(ctr, "/dev/fuse")' \
                '{"path": "/dev/fuse", "type": "CharDevice"}'
        is_yaml "daemonset: cgroup tree" "$ds" DaemonSet 'host_path(ctr, "/sys/fs/cgroup")["path"]' '"/sys/fs/cgroup"'
        is_yaml "daemonset: registry" "$ds" DaemonSet 'host_path(ctr, "/run/procview")["path"]' '"/run/procview"'
        is_yaml "daemonset: views directory" "$ds" DaemonSet 'host_path(ctr, "/var/lib/procview")["path"]' \
                '"/var/lib/procview"'
        is_yaml "daemonset: views propagate to the host" "$ds" DaemonSet \
                'mount(ctr, "/var/lib/procview")["mountPropagation"]' '"Bidirectional"'
        is_yaml "daemonset: init runs the installer" "$ds" DaemonSet 'init["command"]' \
                '["/usr/local/sbin/install-node.sh", "--root", "/host", "--views", "/var/lib/procview/views"]'
        is_yaml "daemonset: init writes host bin" "$ds" DaemonSet 'host_path(init, "/host/usr/local/bin")["path"]' \
                '"/usr/local/bin"'
        is_yaml "daemonset: init writes host hooks.d" "$ds" DaemonSet \
                'host_path(init, "/host/usr/share/containers/oci/hooks.d")["path"]' '"/usr/share/containers/oci/hooks.d"'
        is_yaml "daemonset: init unprivileged" "$ds" DaemonSet 'init["securityContext"]["capabilities"]["drop"]' '["ALL"]'
        is_yaml "daemonset: one image" "$ds" DaemonSet 'init["image"] == ctr["image"]' true

        is_yaml "example pod: opts in" "$pod" Pod 'd["metadata"]["annotations"]["io.procview.enable"]' '"true"'
        is_yaml "example pod: 50 MiB limit" "$pod" Pod 'ctr["resources"]["limits"]["memory"]' '"50Mi"'
}

test_dockerfile() {
        local dockerfile=$K8S/Dockerfile src

        # The image puts the files where install-node.sh looks for them by default.
        ok "dockerfile: binary at the installer's source" \
                grep -q '^COPY --from=build /build-static/procview /usr/local/bin/procview$' "$dockerfile"
        ok "dockerfile: hook file at the installer's source" \
                grep -q '^COPY deploy/hooks.d/procview.json /usr/share/procview/hooks.d/procview.json$' "$dockerfile"
        ok "installer: default sources" grep -q '^source_bin=/usr/local/bin/procview$' "$INSTALL"
        ok "installer: default hook source" grep -q '^source_hook=/usr/share/procview/hooks.d/procview.json$' "$INSTALL"
        for src in $(sed -n 's/^COPY \(deploy\/[^ ]*\) .*/\1/p' "$dockerfile"); do
                ok "dockerfile: $src exists" test -f "$TOP/$src"
        done
        ok "dockerfile: Debian 12 base" grep -q '^FROM debian:12' "$dockerfile"
}

# ---- main -------------------------------------------------------------------

host_before=$(host_snapshot)
on_exit remove_test_cgroups

test_install
test_install_options
test_manifests
test_dockerfile

ok "rootfs built" make_rootfs
if start_daemon; then
        # The hook file the DaemonSet installs, aimed at this run's mount.
        views_root=$WORK/root-views
        "$INSTALL" --root "$views_root" --views "$MNT" --source-bin "$PROCVIEW" --source-hook "$HOOK_SOURCE" >/dev/null
        views_hook=$views_root/usr/share/containers/oci/hooks.d/procview.json
        for runtime in runc crun; do
                test_hook_injected "$runtime" "$views_hook" "$views_root"
                test_hook_not_injected "$runtime" "$views_hook" "$views_root"
        done
        test_readiness_probe
        test_rolling_update
else
        ok "procviewd started" false
fi

is "host bin and hooks.d untouched" "$(host_snapshot)" "$host_before"

done_testing
