#!/usr/bin/awk -f
# SPDX-License-Identifier: LGPL-2.1-or-later
# Turn the result lines of bench/run.sh (key=value pairs from pvbench, tagged
# with server= and label=) into the tables and target checks it prints, and
# write reads/s against readers per file to the file named by -v data=...
# for bench/reads.gp. -v smoke=1 prints the tables without PASS/FAIL.
# When a cell ran more than once (rep=1, 2, ...), each of reads/s, p50 and
# p99 is the median over its runs.

function field(key) {
        return (key in f) ? f[key] : ""
}

function ratio(a, b) {
        return b > 0 ? sprintf("%.2f", a / b) : "n/a"
}

BEGIN {
        split("rps p50_us p99_us", repeated)
}

function is_repeated(k) {
        return k == "rps" || k == "p50_us" || k == "p99_us"
}

# The median of the n values vals[key, k, 1..n], which it sorts.
function median(key, k, n,    i, j, t) {
        for (i = 2; i <= n; i++)
                for (j = i; j > 1 && vals[key, k, j - 1] + 0 > vals[key, k, j] + 0; j--) {
                        t = vals[key, k, j]
                        vals[key, k, j] = vals[key, k, j - 1]
                        vals[key, k, j - 1] = t
                }
        if (n % 2)
                return vals[key, k, (n + 1) / 2]
        return (vals[key, k, n / 2] + vals[key, k, n / 2 + 1]) / 2
}

function verdict(ok) {
        if (smoke)
                return "(smoke run: not judged)"
        return ok ? "PASS" : "FAIL"
}

{
        delete f
        for (i = 1; i <= NF; i++) {
                eq = index($i, "=")
                f[substr($i, 1, eq - 1)] = substr($i, eq + 1)
        }
        key = field("server") SUBSEP field("label") SUBSEP field("readers")
        if (!(key in runs))
                keys[++n_keys] = key
        runs[key]++
        for (k in f) {
                r[key, k] = f[k]
                if (is_repeated(k))
                        vals[key, k, runs[key]] = f[k]
        }
        if (field("server") != "static" && field("label") !~ /^(first|scale)/) {
                if (!(field("label") in seen_label)) {
                        seen_label[field("label")] = 1
                        labels[++n_labels] = field("label")
                }
                if (!(field("readers") in seen_readers)) {
                        seen_readers[field("readers")] = 1
                        readers[++n_readers] = field("readers")
                }
        }
}

END {
        P = "procview"
        L = "lxcfs"

        for (i = 1; i <= n_keys; i++) {
                key = keys[i]
                if (runs[key] > most_runs)
                        most_runs = runs[key]
                if (runs[key] > 1)
                        for (m = 1; m <= 3; m++)
                                r[key, repeated[m]] = median(key, repeated[m], runs[key])
        }

        print ""
        print "Reads of open + read-to-end + close, each reader pid 1 of its own container" \
              (most_runs > 1 ? sprintf(" (medians of %d runs):", most_runs) : ":")
        printf "| %-9s | %7s | %13s | %8s | %8s | %10s | %8s | %8s | %9s | %9s |\n", "file", "readers",
               "procview /s", "p50 us", "p99 us", "LXCFS /s", "p50 us", "p99 us", "rps ratio", "p99/p50"
        print "|-----------|---------|---------------|----------|----------|------------|----------|----------|-----------|-----------|"
        for (i = 1; i <= n_labels; i++) {
                file = labels[i]
                printf "# %s: readers procview_rps lxcfs_rps\n", file > data
                for (j = 1; j <= n_readers; j++) {
                        n = readers[j]
                        kp = P SUBSEP file SUBSEP n
                        kl = L SUBSEP file SUBSEP n
                        printf "| %-9s | %7s | %13s | %8s | %8s | %10s | %8s | %8s | %9s | %9s |\n", file, n,
                               r[kp, "rps"], r[kp, "p50_us"], r[kp, "p99_us"], r[kl, "rps"], r[kl, "p50_us"],
                               r[kl, "p99_us"], ratio(r[kp, "rps"], r[kl, "rps"]), ratio(r[kp, "p99_us"], r[kl, "p50_us"])
                        printf "%s %s %s\n", n, r[kp, "rps"], r[kl, "rps"] > data
                }
                printf "\n\n" > data
        }

        print ""
        print "Ceiling: bench/static-fuse serving a fixed copy of /proc/meminfo:"
        for (j = 1; j <= n_readers; j++) {
                n = readers[j]
                ks = "static" SUBSEP "static" SUBSEP n
                printf "  %2s readers: %s reads/s, p50 %s us, p99 %s us (%s x procview meminfo, %s x LXCFS meminfo)\n", n,
                       r[ks, "rps"], r[ks, "p50_us"], r[ks, "p99_us"], ratio(r[ks, "rps"], r[P, "meminfo", n, "rps"]),
                       ratio(r[ks, "rps"], r[L, "meminfo", n, "rps"])
        }

        print ""
        print "First read of meminfo from a new pid namespace:"
        for (s = 1; s <= 2; s++) {
                server = s == 1 ? P : L
                k = server SUBSEP "first" SUBSEP "1"
                printf "  %-8s over %s containers: p50 %s us, max %s us (steady-state p50 at 1 reader: %s us)\n", server,
                       r[k, "containers"], r[k, "first_p50_us"], r[k, "first_max_us"], r[server, "meminfo", 1, "p50_us"]
        }

        print ""
        print "Many containers (meminfo, 4 readers):"
        for (s = 1; s <= 2; s++) {
                server = s == 1 ? P : L
                small = server SUBSEP "scale-small" SUBSEP "4"
                big = server SUBSEP "scale" SUBSEP "4"
                same = server SUBSEP "scale-same" SUBSEP "4"
                sampling[server] = r[big, "idle_cpu_pct"] - r[big, "idle_cpu_base_pct"]
                flat[server] = r[small, "rps"] > 0 ? r[same, "rps"] / r[small, "rps"] : 0
                printf "  %-8s reads/s of 10 containers while %s exist: %s, while %s exist: %s (ratio %.2f); p50 %s us -> %s us\n",
                       server, r[small, "containers"], r[small, "rps"], r[same, "containers"], r[same, "rps"], flat[server],
                       r[small, "p50_us"], r[same, "p50_us"]
                printf "  %-8s reads/s spread over all %s containers: %s, p99 %s us\n", server, r[big, "containers"],
                       r[big, "rps"], r[big, "p99_us"]
                printf "  %-8s RSS %s kB at start, %s kB after %s first reads, %s kB after the spread reads\n", server,
                       r[big, "rss_start_kb"], r[big, "rss_ready_kb"], r[big, "containers"], r[big, "rss_end_kb"]
                printf "  %-8s CPU with no reads: %.3f %% of a CPU before, %.3f %% with %s cgroups x %s threads (sampling: %.3f %%)\n",
                       server, r[big, "idle_cpu_base_pct"], r[big, "idle_cpu_pct"], r[big, "containers"], r[big, "threads"],
                       sampling[server]
        }

        print ""
        print "Targets:"
        for (i = 1; i <= 3; i++) {
                file = i == 1 ? "meminfo" : i == 2 ? "stat" : "cpuinfo"
                x = r[P, file, 4, "rps"] / (r[L, file, 4, "rps"] > 0 ? r[L, file, 4, "rps"] : 1)
                printf "  %-60s %s\n", sprintf("%s reads/s at 4 readers >= 3 x LXCFS: %.2f x", file, x), verdict(x >= 3)
        }
        for (i = 1; i <= n_labels; i++) {
                file = labels[i]
                ok = r[P, file, 4, "p99_us"] + 0 <= r[L, file, 4, "p50_us"] + 0
                printf "  %-60s %s\n", sprintf("%s p99 at 4 readers <= LXCFS p50: %s us vs %s us", file, r[P, file, 4, "p99_us"],
                                               r[L, file, 4, "p50_us"]), verdict(ok)
        }
        big = P SUBSEP "scale" SUBSEP "4"
        printf "  %-60s %s\n", sprintf("RSS with %s containers <= 20 MiB: %.1f MiB", scale, r[big, "rss_end_kb"] / 1024),
               verdict(r[big, "rss_end_kb"] + 0 <= 20480)
        printf "  %-60s %s\n", sprintf("loadavg sampling <= 1 %% of a CPU: %.3f %%", sampling[P]), verdict(sampling[P] <= 1)
        printf "  %-60s %s\n", sprintf("reads/s with %s vs 10 containers >= 0.9: %.2f", scale, flat[P]), verdict(flat[P] >= 0.9)
}
