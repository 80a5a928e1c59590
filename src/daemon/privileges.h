/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Drop every capability the worker does not need, from the effective,
 * permitted, inheritable, ambient and bounding sets, and set
 * PR_SET_NO_NEW_PRIVS. Capabilities belong to threads, so call it before the
 * worker starts any thread. Returns 0 or a negative errno.
 */
int privileges_drop_worker(void);
