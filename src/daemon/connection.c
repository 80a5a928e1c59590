/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fuse.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>

#include "connection.h"
#include "daemon.h"
#include "log.h"

/* FUSE protocol 7.40 (Linux 6.9): the kernel can resend requests a dead server had read. */
#define PROCVIEW_FUSE_NOTIFY_RESEND 7
#define PROCVIEW_FUSE_INIT_EXT (1u << 30)
#define PROCVIEW_FUSE_HAS_RESEND_FLAGS2 (1u << (39 - 32))

/* Large enough for any request the kernel may send before INIT is answered. */
#define INIT_READ_BUFFER (256u * 1024u)

int connection_mount(const char *mountpoint, int *ret_fd) {
        _cleanup_close_ int fd = -1;
        char options[256];

        fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open /dev/fuse: %m");

        /*
         * No default_permissions: with it the kernel asks for attributes before
         * every open, and a view's size means rendering it. Every file is 0444
         * and open() rejects writes, so the mode check adds nothing.
         */
        snprintf(options, sizeof(options), "fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other", fd,
                 (unsigned) getuid(), (unsigned) getgid());

        if (mount("procview", mountpoint, "fuse.procview", MS_RDONLY | MS_NOSUID | MS_NODEV, options) < 0)
                return log_error_errno(errno, "Failed to mount '%s': %m", mountpoint);

        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Whether the kernel's INIT request offers FUSE_NOTIFY_RESEND. */
static bool init_offers_resend(const void *request, size_t len) {
        const struct fuse_init_in *in = (const void *) ((const uint8_t *) request + sizeof(struct fuse_in_header));

        if (len < sizeof(struct fuse_in_header) + sizeof(*in))
                return false;
        if (in->major != 7 || in->minor < 36 || !(in->flags & PROCVIEW_FUSE_INIT_EXT))
                return false;
        return in->flags2 & PROCVIEW_FUSE_HAS_RESEND_FLAGS2;
}

int connection_read_init(int fuse_fd, struct handover *handover) {
        _cleanup_free_ uint8_t *buf = NULL;
        const struct fuse_in_header *header;
        ssize_t n;
        int r;

        buf = malloc(INIT_READ_BUFFER);
        if (!buf)
                return log_error_errno(ENOMEM, "Failed to read FUSE_INIT: %m");

        do
                n = read(fuse_fd, buf, INIT_READ_BUFFER);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return log_error_errno(errno, "Failed to read FUSE_INIT from the kernel: %m");

        header = (const struct fuse_in_header *) buf;
        if ((size_t) n < sizeof(*header) || header->opcode != FUSE_INIT)
                return log_error_errno(EPROTO, "Expected FUSE_INIT as the first request, got opcode %u.",
                                       (size_t) n >= sizeof(*header) ? header->opcode : 0);

        r = handover_set_init(handover, buf, (size_t) n);
        if (r < 0)
                return log_error_errno(r, "Failed to save FUSE_INIT: %m");

        return 0;
}

int connection_clone(int fuse_fd, int *ret_fd) {
        _cleanup_close_ int fd = -1;
        uint32_t source = (uint32_t) fuse_fd;

        fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open /dev/fuse: %m");

        if (ioctl(fd, FUSE_DEV_IOC_CLONE, &source) < 0)
                return log_error_errno(errno, "Failed to clone the FUSE connection on fd %d: %m", fuse_fd);

        *ret_fd = TAKE_FD(fd);
        return 0;
}

bool connection_offers_resend(struct handover *handover) {
        uint8_t request[HANDOVER_INIT_MAX];
        ssize_t len;

        len = handover_get_init(handover, request, sizeof(request));
        return len > 0 && init_offers_resend(request, (size_t) len);
}

bool connection_can_resend(struct handover *handover) {
        bool resend = connection_offers_resend(handover);

        if (!resend)
                log_warning("This kernel cannot resend FUSE requests (Linux 6.9 or later can): reads that a "
                            "crashed worker was answering fail with EIO or ECONNABORTED.");
        return resend;
}

void connection_recover(int fuse_fd, struct handover *handover, bool resend, unsigned slot_base) {
        if (resend) {
                struct fuse_out_header notify = { .len = sizeof(notify), .error = PROCVIEW_FUSE_NOTIFY_RESEND };

                if (write(fuse_fd, &notify, sizeof(notify)) < 0)
                        log_warning_errno(errno, "Failed to ask the kernel to resend requests: %m");
        }

        for (unsigned i = 0; i < WORKER_MAX_THREADS; i++) {
                uint64_t unique = handover_get_inflight(handover, slot_base + i);
                struct fuse_out_header reply = { .len = sizeof(reply), .error = -EIO, .unique = unique };

                if (unique == 0)
                        continue;
                handover_set_inflight(handover, slot_base + i, 0);
                if (resend)
                        continue;

                /* ENOENT: the kernel had already received the answer. */
                if (write(fuse_fd, &reply, sizeof(reply)) < 0 && errno != ENOENT)
                        log_warning_errno(errno, "Failed to fail request %" PRIu64 ": %m", unique);
        }
}
