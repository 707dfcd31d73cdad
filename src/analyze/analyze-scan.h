/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Scans of every process on the host (/proc): live BPF token fds, and delegated bpffs instances
 * across all mount namespaces. No logging (the verbs log); processes that vanish or cannot be read
 * during the scan are counted, not fatal. Read-only: nothing is opened but /proc files and nsfs
 * entries.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf-names.h"
#include "fdinfo.h"
#include "mountinfo.h"
#include "table.h"

typedef struct ScanFilter {
        const char *unit;       /* only processes of this unit (NULL: all) */
        const pid_t *pids;      /* only these processes (NULL: all) */
        size_t n_pids;
} ScanFilter;

typedef struct TokenEntry {
        pid_t pid;
        int fd;
        char *comm;
        char *unit;             /* NULL if the process is in no unit */
        uint64_t userns;        /* inode of the holder's user namespace, 0 if unknown */
        char *mount_point;      /* where the bpffs the token came from is mounted, as the holder sees it */
        TokenFdinfo info;
} TokenEntry;

typedef struct TokenScan {
        TokenEntry *entries;
        size_t n_entries;
        unsigned n_processes;   /* processes looked at */
        unsigned n_unreadable;  /* processes whose fds could not be read (vanished, no permission) */
} TokenScan;

int scan_tokens(const ScanFilter *filter, TokenScan *ret);
void token_scan_done(TokenScan *s);

typedef struct MountEntry {
        uint64_t mntns;         /* inode of the mount namespace */
        uint64_t mntns_id;      /* NS_GET_MNTNS_ID (Linux >= 6.8), 0 if unavailable */
        uint64_t userns;        /* inode of the user namespace owning the mount namespace, 0 if unknown */
        uid_t userns_owner;     /* creator of that user namespace, UID_INVALID if unknown */
        pid_t pid;              /* lowest PID in the mount namespace */
        unsigned n_processes;   /* processes in the mount namespace */
        char *comm;
        char *unit;
        unsigned major, minor;  /* the superblock: one entry per (mount namespace, superblock) */
        char **mount_points;    /* NULL-terminated, in mountinfo order */
        int *mount_ids;
        size_t n_mounts;
        char *super_options;
        MountDelegation delegation;
        bool delegated;         /* has at least one delegate_* option */
} MountEntry;

#define UID_INVALID ((uid_t) -1)

typedef struct MountScan {
        MountEntry *entries;
        size_t n_entries;
        unsigned n_processes;
        unsigned n_namespaces;  /* distinct mount namespaces whose mountinfo was read */
        unsigned n_unreadable;
} MountScan;

/* all: list bpffs instances without delegation as well. */
int scan_mounts(const BpfNames *names, const ScanFilter *filter, bool all, MountScan *ret);
void mount_scan_done(MountScan *s);

/* The PIDs of the processes in unit, ascending. */
int scan_unit_pids(const char *unit, pid_t **ret, size_t *ret_n);

/* Helpers shared with the verbs. */
int proc_read_comm(int proc_fd, pid_t pid, char **ret);
int proc_read_unit(int proc_fd, pid_t pid, char **ret);     /* -ENXIO: in no unit */
int proc_read_ns(int proc_fd, pid_t pid, const char *type, uint64_t *ret_ino);

/* The table of the 'tokens' verb, with a row for each entry of s; shared with 'status'. */
int tokens_table_new(const BpfNames *names, const TokenScan *s, Table **ret);
