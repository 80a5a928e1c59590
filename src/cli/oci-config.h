/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The config.json of an OCI bundle (runtime spec 1.0.2) for "procview run":
 * runc's default container, plus the limits, views and volumes from the
 * command line.
 */
#pragma once

#include "run-options.h"

/* Write BUNDLE/config.json with rootfs as root.path. */
int oci_config_write(const char *bundle, const char *rootfs, const struct run_options *o);
