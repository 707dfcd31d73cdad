/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Which systemd runs: the one detector, for bpftoken-generator and bpftoken-analyze alike. PID 1 maps
 * its libsystemd-shared-NNN.so, so /proc/1/maps names the version that is running (the installed one
 * may be newer until daemon-reexec); without it, the libsystemd-shared-NNN*.so installed under root is
 * taken. No logging.
 */

/* A version number as written on the command line or in the environment: 1 to 5 digits, nothing
 * else. -EINVAL otherwise. */
int systemd_version_parse(const char *s, unsigned *ret);

/* From a maps file (/proc/1/maps): the version in the first "libsystemd-shared-NNN" path. -ENOENT if
 * there is none, other -errno if the file cannot be read. */
int systemd_version_from_maps(const char *path, unsigned *ret);

/* From the libsystemd-shared-NNN*.so files in root's systemd library directories (root may be NULL):
 * /usr/lib/systemd, /lib/systemd, /usr/lib64/systemd, /lib64/systemd and the multiarch
 * /usr/lib/TRIPLET/systemd, /lib/TRIPLET/systemd. The highest version wins. -ENOENT if none. */
int systemd_version_from_libdirs(const char *root, unsigned *ret);

/* The above in order: /proc/1/maps unless root is set (and not "/"), then the library directories
 * under root. *ret_source (may be NULL) says which answered: "/proc/1/maps" or "libsystemd-shared".
 * -ENOENT if neither does. */
int systemd_version_detect(const char *root, unsigned *ret, const char **ret_source);
