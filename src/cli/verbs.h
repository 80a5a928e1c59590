/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Subcommands of the procview command line. Each verb lives in its own file,
 * parses its own arguments (argv[0] is the verb name) and returns the process
 * exit status.
 */
#pragma once

/* Exit status for an invalid command line, as getopt-based tools use. */
#define EXIT_USAGE 2

int verb_run(int argc, char *argv[]);
int verb_hook(int argc, char *argv[]);
int verb_spec(int argc, char *argv[]);
int verb_mounts(int argc, char *argv[]);
int verb_ps(int argc, char *argv[]);
int verb_reattach(int argc, char *argv[]);
