/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "bundle.h"
#include "cli-util.h"
#include "spawn.h"

/* Debian's busybox-static installs the static binary here. */
#define HOST_BUSYBOX "/bin/busybox"

static const struct {
        const char *path;
        mode_t mode;
} rootfs_dirs[] = {
        { "bin", 0755 },  { "dev", 0755 }, { "etc", 0755 },  { "proc", 0555 },
        { "root", 0700 }, { "sys", 0555 }, { "tmp", 01777 },
};

/* Returns 1 when the 64-bit ELF file behind fd names a program interpreter, that is, links dynamically. */
static int elf_has_interpreter(int fd) {
        Elf64_Ehdr header;
        Elf64_Phdr program_header;

        if (pread(fd, &header, sizeof(header), 0) != (ssize_t) sizeof(header))
                return -ENOEXEC;
        if (memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64)
                return -ENOEXEC;

        for (unsigned i = 0; i < header.e_phnum; i++) {
                off_t offset = (off_t) header.e_phoff + (off_t) i * header.e_phentsize;

                if (pread(fd, &program_header, sizeof(program_header), offset) != (ssize_t) sizeof(program_header))
                        return -ENOEXEC;
                if (program_header.p_type == PT_INTERP)
                        return 1;
        }
        return 0;
}

static int open_host_busybox(int *ret_fd) {
        _cleanup_close_ int fd = -1;
        int r;

        fd = open(HOST_BUSYBOX, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open '%s': %m. Install it with 'apt install busybox-static'.",
                                       HOST_BUSYBOX);

        r = elf_has_interpreter(fd);
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s' as a 64-bit ELF program: %m", HOST_BUSYBOX);
        if (r > 0)
                return log_error_errno(-ENOEXEC,
                                       "'%s' is linked dynamically and cannot run in an empty root filesystem. Install "
                                       "it with 'apt install busybox-static'.",
                                       HOST_BUSYBOX);

        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int copy_fd(int from_fd, int to_fd) {
        char buffer[65536];
        ssize_t n;

        while ((n = read(from_fd, buffer, sizeof(buffer))) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }

                for (ssize_t done = 0; done < n;) {
                        ssize_t written = write(to_fd, buffer + done, (size_t) (n - done));

                        if (written < 0) {
                                if (errno == EINTR)
                                        continue;
                                return -errno;
                        }
                        done += written;
                }
        }
        return 0;
}

static int install_busybox(int rootfs_fd) {
        _cleanup_close_ int from_fd = -1, to_fd = -1;
        int r;

        r = open_host_busybox(&from_fd);
        if (r < 0)
                return r;

        to_fd = openat(rootfs_fd, "bin/busybox", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
        if (to_fd < 0)
                return log_error_errno(errno, "Failed to create 'bin/busybox' in the root filesystem: %m");

        r = copy_fd(from_fd, to_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to copy '%s' into the root filesystem: %m", HOST_BUSYBOX);
        return 0;
}

static int link_applets(int rootfs_fd) {
        char *argv[] = { (char *) "busybox", (char *) "--list", NULL };
        _cleanup_free_ char *applets = NULL;
        _cleanup_close_ int bin_fd = -1;
        char *saveptr = NULL;
        int status, r;

        r = spawn_capture(HOST_BUSYBOX, argv, NULL, STDOUT_FILENO, &applets, &status);
        if (r < 0)
                return r;
        if (status != 0)
                return log_error_errno(-EIO, "'%s --list' failed with exit status %d.", HOST_BUSYBOX, status);

        bin_fd = openat(rootfs_fd, "bin", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (bin_fd < 0)
                return log_error_errno(errno, "Failed to open 'bin' in the root filesystem: %m");

        for (char *applet = strtok_r(applets, "\n", &saveptr); applet; applet = strtok_r(NULL, "\n", &saveptr)) {
                /* Applet names come from a program's output, so keep them inside bin/. */
                if (strchr(applet, '/') || streq(applet, ".") || streq(applet, "..") || streq(applet, "busybox"))
                        continue;

                if (symlinkat("busybox", bin_fd, applet) < 0 && errno != EEXIST)
                        return log_error_errno(errno, "Failed to create symlink 'bin/%s' in the root filesystem: %m",
                                               applet);
        }
        return 0;
}

static int create_file_at(int dir_fd, const char *path, const char *content) {
        _cleanup_close_ int fd = -1;
        size_t length = strlen(content);
        ssize_t n;

        fd = openat(dir_fd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create '%s' in the root filesystem: %m", path);

        n = write(fd, content, length);
        if (n < 0)
                return log_error_errno(errno, "Failed to write '%s' in the root filesystem: %m", path);
        if ((size_t) n != length)
                return log_error_errno(-EIO, "Failed to write '%s' in the root filesystem: short write.", path);
        return 0;
}

static int create_skeleton(int rootfs_fd) {
        int r;

        for (size_t i = 0; i < ELEMENTSOF(rootfs_dirs); i++) {
                if (mkdirat(rootfs_fd, rootfs_dirs[i].path, rootfs_dirs[i].mode) < 0)
                        return log_error_errno(errno, "Failed to create '%s' in the root filesystem: %m",
                                               rootfs_dirs[i].path);

                /* mkdirat() applies the umask, which would drop the sticky, world-writable bits of tmp. */
                if (fchmodat(rootfs_fd, rootfs_dirs[i].path, rootfs_dirs[i].mode, 0) < 0)
                        return log_error_errno(errno, "Failed to set the mode of '%s' in the root filesystem: %m",
                                               rootfs_dirs[i].path);
        }

        r = create_file_at(rootfs_fd, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
        if (r < 0)
                return r;
        return create_file_at(rootfs_fd, "etc/group", "root:x:0:\n");
}

int bundle_build_busybox_rootfs(const char *bundle, char **ret_rootfs) {
        _cleanup_free_ char *rootfs = NULL;
        _cleanup_close_ int rootfs_fd = -1;
        int r;

        rootfs = format_string("%s/rootfs", bundle);
        if (!rootfs)
                return log_oom();

        if (mkdir(rootfs, 0755) < 0)
                return log_error_errno(errno, "Failed to create '%s': %m", rootfs);
        rootfs_fd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfs_fd < 0)
                return log_error_errno(errno, "Failed to open '%s': %m", rootfs);

        r = create_skeleton(rootfs_fd);
        if (r < 0)
                return r;
        r = install_busybox(rootfs_fd);
        if (r < 0)
                return r;
        r = link_applets(rootfs_fd);
        if (r < 0)
                return r;

        *ret_rootfs = TAKE_PTR(rootfs);
        return 0;
}
