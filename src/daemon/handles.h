/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * File handles that survive a worker restart.
 *
 * The kernel keeps the fh of every open file and sends it with each read. A
 * handle is a number, not a pointer: the worker that opened the file keeps
 * its state in this table, and a worker that started later does not know the
 * number and adopts it, creating fresh state under the same fh.
 */
#pragma once

#include <stdint.h>

struct handle_table;

int handle_table_new(struct handle_table **ret);
void handle_table_free(struct handle_table *t, void (*free_value)(void *));

/* A new handle number for value. Returns 0 on allocation failure. */
uint64_t handle_add(struct handle_table *t, void *value);

/*
 * Store value under a number another worker created, unless a concurrent
 * request adopted fh first. Returns the value now stored under fh (value or
 * the earlier one; the caller frees value when it is not returned), or NULL
 * when out of memory.
 */
void *handle_adopt(struct handle_table *t, uint64_t fh, void *value);

/* The value of fh, or NULL when this worker does not know it. */
void *handle_get(struct handle_table *t, uint64_t fh);

/* Remove fh and return its value, or NULL. */
void *handle_remove(struct handle_table *t, uint64_t fh);
