/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/harden.h - process hardening, called first thing in main().
 *
 * Makes the process not dumpable (no core files, no ptrace by the same uid),
 * sets RLIMIT_CORE to 0, makes sure fds 0, 1 and 2 are open (on /dev/null if
 * they were closed, so a later open() never lands on them), and sets umask 077
 * so every file we create is private. Returns 0 or CE_ERR_INTERNAL.
 */
#ifndef CE_COMMON_HARDEN_H
#define CE_COMMON_HARDEN_H

int harden_process(void) __attribute__((warn_unused_result));

#endif
