/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "cgroupstats.h"
#include "macro.h"

#define MESSAGE_BUFFER 4096

struct cgroupstats_client {
        int fd;
        uint16_t family;
        uint32_t seq;
};

/* A generic netlink request with room for one attribute. */
struct request {
        struct nlmsghdr nl;
        struct genlmsghdr genl;
        char attrs[64];
};

static void add_attr(struct request *req, uint16_t type, const void *data, size_t len) {
        struct nlattr *attr = (struct nlattr *) ((char *) req + NLMSG_ALIGN(req->nl.nlmsg_len));

        attr->nla_type = type;
        attr->nla_len = (uint16_t) NLA_HDRLEN + (uint16_t) len;
        memcpy((char *) attr + NLA_HDRLEN, data, len);
        req->nl.nlmsg_len = NLMSG_ALIGN(req->nl.nlmsg_len) + NLA_ALIGN(attr->nla_len);
}

/* Send req and receive its answer into buf. Returns the answer's length or a negative errno. */
static ssize_t transact(struct cgroupstats_client *c, struct request *req, char *buf, size_t size) {
        struct nlmsghdr *answer = (struct nlmsghdr *) buf;
        ssize_t n;

        req->nl.nlmsg_seq = ++c->seq;
        if (send(c->fd, req, req->nl.nlmsg_len, 0) < 0)
                return -errno;

        do
                n = recv(c->fd, buf, size, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;

        if (!NLMSG_OK(answer, (size_t) n))
                return -EBADMSG;
        if (answer->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *err = NLMSG_DATA(answer);

                return err->error < 0 ? err->error : -EBADMSG;
        }
        return n;
}

/* The payload of attribute type in the answer's attributes, or NULL. */
static const void *find_attr(const char *buf, size_t len, uint16_t type, size_t min_len) {
        const struct nlmsghdr *nl = (const struct nlmsghdr *) buf;
        const char *p = (const char *) NLMSG_DATA(nl) + GENL_HDRLEN;
        const char *end = buf + (nl->nlmsg_len < len ? nl->nlmsg_len : len);

        while (p + NLA_HDRLEN <= end) {
                const struct nlattr *attr = (const struct nlattr *) p;

                if (attr->nla_len < NLA_HDRLEN || p + attr->nla_len > end)
                        return NULL;
                if ((attr->nla_type & NLA_TYPE_MASK) == type && (size_t) (attr->nla_len - NLA_HDRLEN) >= min_len)
                        return p + NLA_HDRLEN;
                p += NLA_ALIGN(attr->nla_len);
        }
        return NULL;
}

static int resolve_family(struct cgroupstats_client *c) {
        struct request req = {
                .nl = { .nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN),
                        .nlmsg_type = GENL_ID_CTRL,
                        .nlmsg_flags = NLM_F_REQUEST },
                .genl = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 },
        };
        _cleanup_free_ char *buf = NULL;
        const uint16_t *id;
        ssize_t n;

        buf = malloc(MESSAGE_BUFFER);
        if (!buf)
                return -ENOMEM;

        add_attr(&req, CTRL_ATTR_FAMILY_NAME, TASKSTATS_GENL_NAME, sizeof(TASKSTATS_GENL_NAME));
        n = transact(c, &req, buf, MESSAGE_BUFFER);
        if (n < 0)
                return n == -ENOENT ? -EOPNOTSUPP : (int) n;

        id = find_attr(buf, (size_t) n, CTRL_ATTR_FAMILY_ID, sizeof(*id));
        if (!id)
                return -EOPNOTSUPP;

        c->family = *id;
        return 0;
}

int cgroupstats_open(struct cgroupstats_client **ret) {
        struct cgroupstats_client *c;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;

        c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
        if (c->fd < 0) {
                r = -errno;
                free(c);
                return r;
        }

        r = resolve_family(c);
        if (r < 0) {
                cgroupstats_close(c);
                return r;
        }

        *ret = c;
        return 0;
}

void cgroupstats_close(struct cgroupstats_client *c) {
        if (!c)
                return;
        close(c->fd);
        free(c);
}

int cgroupstats_get(struct cgroupstats_client *c, int dirfd, struct cgroupstats *ret) {
        struct request req = {
                .nl = { .nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN), .nlmsg_type = c->family, .nlmsg_flags = NLM_F_REQUEST },
                .genl = { .cmd = CGROUPSTATS_CMD_GET, .version = 1 },
        };
        char buf[512];
        const struct cgroupstats *stats;
        uint32_t fd = (uint32_t) dirfd;
        ssize_t n;

        add_attr(&req, CGROUPSTATS_CMD_ATTR_FD, &fd, sizeof(fd));
        n = transact(c, &req, buf, sizeof(buf));
        if (n < 0)
                return (int) n;

        stats = find_attr(buf, (size_t) n, CGROUPSTATS_TYPE_CGROUP_STATS, sizeof(*stats));
        if (!stats)
                return -EBADMSG;

        memcpy(ret, stats, sizeof(*ret));
        return 0;
}
