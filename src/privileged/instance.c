/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "bpf-token-uapi.h"
#include "helper.h"
#include "instance.h"
#include "macro.h"
#include "mount-facts.h"
#include "namespace-util.h"
#include "process-util.h"
#include "socket-util.h"
#include "syscalls.h"

/* Helpers report (step << 16 | errno) in one status word. */
#define STATUS(step, error) ((int) ((unsigned) (step) << 16 | (unsigned) (error)))
#define STATUS_STEP(s) ((BpffsStep) ((unsigned) (s) >> 16))
#define STATUS_ERRNO(s) ((int) ((unsigned) (s) & 0xffffu))

/* The attach helper found an instance at /sys/fs/bpf that may be this user namespace's: it sends this
 * word with an fd of the instance's root and waits for a verdict word. */
#define STATUS_CANDIDATE STATUS(BPFFS_STEP_NONE, EEXIST)
enum { VERDICT_ATTACH = 0, VERDICT_ALREADY_ATTACHED = 1 };

/* The attach helper checks the target while the parent builds the instance: when its checks are done it
 * sends this word and waits for the instance's mount fd, with a word saying how to bind the token. */
#define STATUS_READY STATUS(BPFFS_STEP_NONE, EINPROGRESS)
enum { GO_ATTACH = 0, GO_ATTACH_BIND_AFTER = 1 };

/* --- test hook (see instance.h) --- */

/* Returns true if the test asks this point to fail instead. */
static bool fault_point(const char *point) {
        const char *spec = secure_getenv("BPFTOKEN_TEST_FAULT");
        size_t n = strlen(point);

        if (!spec || strncmp(spec, point, n) != 0 || spec[n] != ':')
                return false;
        if (streq(spec + n + 1, "kill"))
                (void) raise(SIGKILL);
        if (streq(spec + n + 1, "stall"))
                for (;;)
                        (void) pause();
        if (streq(spec + n + 1, "sleep"))
                (void) usleep(HELPER_TIMEOUT_MS * 1000 / 2); /* a window, well inside the deadline */
        return streq(spec + n + 1, "fail");
}

/* --- helpers (helper.c): the failing step of a helper that broke --- */

static BpffsStep helper_error_step(int r) {
        return r == -ETIME ? BPFFS_STEP_DEADLINE : BPFFS_STEP_HELPER;
}

static int instance_helper_recv(Helper *h, int *ret_status, int *ret_fd, BpffsStep *ret_step) {
        int r = helper_recv(h, ret_status, ret_fd);

        if (r < 0)
                *ret_step = helper_error_step(r);
        return r;
}

/* Each helper runs in a prepared one when the worker has it ready (helper.h): its argument by value. */
static int run_helper(int *keep, size_t n_keep, HelperBody body, const void *userdata, size_t size,
                      int *ret_status, int *ret_fd, BpffsStep *ret_step) {
        int r = helper_run_job(keep, n_keep, body, userdata, size, ret_status, ret_fd);

        if (r < 0)
                *ret_step = helper_error_step(r);
        return r;
}

/* --- helper bodies --- */

/* In the target user namespace: an fs context for a new bpffs. */
static _noreturn_ void body_open_context(int sock, const int *keep, const void *userdata) {
        int fs_fd;

        if (setns(keep[1], CLONE_NEWUSER) < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_USERNS, errno), -EBADF);
        fault_point("userns-joined");
        /* fsopen() needs CAP_SYS_ADMIN over the current mount namespace: take one owned by the
         * user namespace we just joined. It dies with this helper. */
        if (unshare(CLONE_NEWNS) < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_USERNS, errno), -EBADF);
        fs_fd = sys_fsopen("bpf", BPFTOKEN_FSOPEN_CLOEXEC);
        if (fs_fd < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_FSOPEN, -fs_fd), -EBADF);
        fault_point("fsopen-done");
        helper_exit(sock, 0, fs_fd);
}

/* In the target user namespace: BPF_TOKEN_CREATE on an instance's root. The kernel checks that the
 * superblock belongs to this very user namespace (EPERM) before it checks for delegation (ENOENT).
 * Reports 0 when the token's masks are the delegation's (or the kernel cannot tell them, < 6.17),
 * ESTALE when they differ, else the kernel's errno. */
static _noreturn_ void body_check_owner(int sock, const int *keep, const void *userdata) {
        const Delegation *d = userdata;
        struct bpftoken_token_info info;
        int token, status = 0;

        if (setns(keep[1], CLONE_NEWUSER) < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_USERNS, errno), -EBADF);
        token = bpf_token_create_fd(keep[2]);
        fault_point("owner-checked");
        if (token < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_NONE, -token), -EBADF);
        if (bpf_token_get_info(token, &info) >= 0 &&
            (info.allowed_cmds != d->masks[BPF_KIND_COMMAND] || info.allowed_maps != d->masks[BPF_KIND_MAP] ||
             info.allowed_progs != d->masks[BPF_KIND_PROGRAM] || info.allowed_attachs != d->masks[BPF_KIND_ATTACHMENT]))
                status = STATUS(BPFFS_STEP_NONE, ESTALE);
        helper_exit(sock, status, -EBADF);
}

/* What the attach helper is given (by value: a prepared helper gets a copy). The instance itself comes
 * later, with its mount fd (STATUS_READY). */
typedef struct AttachContext {
        Delegation delegation;
        bool zero_delegation;    /* the instance has no delegate_* option */
} AttachContext;

/* The instance the parent built, for the attach helper and a rollback. */
typedef struct BuiltInstance {
        int mnt_fd;
        uint64_t id;             /* our mount, by unique ID */
        bool bind_after_attach;  /* the kernel cannot mount onto the detached instance */
} BuiltInstance;

/* Detach our mount through its fd, resolved in the publisher's /proc (opened before setns), never
 * through a path in the caller's namespace. */
static int detach_by_fd(int proc_fd, int mnt_fd) {
        char path[64];

        if (fchdir(proc_fd) < 0)
                return -errno;
        snprintf(path, sizeof path, "self/fd/%d", mnt_fd);
        if (umount2(path, MNT_DETACH) < 0)
                return -errno;
        return 0;
}

/* The mount at target: is it an instance of this user namespace with its token bind? Asks the
 * parent, which checks the owner from inside the user namespace. 1 yes, 0 no. */
static int target_is_our_instance(int sock, int target_fd, const MountFacts *t, bool is_root, const AttachContext *c) {
        _cleanup_(closep) int root_fd = -EBADF, unused = -EBADF;
        int verdict = VERDICT_ATTACH;

        if (!is_root || !t->is_bpf || t->delegated == c->zero_delegation)
                return 0;
        if (bpffs_token_bind_present(t, 0) <= 0)
                return 0;
        /* A bpffs root: opening it does not block (statmount said bpf; the fd is the one we resolved). */
        root_fd = openat(target_fd, ".", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
        if (root_fd < 0)
                return 0;
        if (send_status_fd(sock, STATUS_CANDIDATE, root_fd) < 0 || recv_status_fd(sock, &verdict, &unused) < 0)
                _exit(EXIT_FAILURE);
        return verdict == VERDICT_ALREADY_ATTACHED;
}

/* After move_mount(): our mount, by ID, sits on the checked mount at /sys/fs/bpf in this namespace,
 * with its token bind, and still propagates nowhere else (every namespace walked again: a namespace
 * copied from the caller's inside the window holds a copy of the instance now). */
static int verify_attached(int mntns_fd, uint64_t mntns_id, int proc_fd, uint64_t instance_id, uint64_t target_id) {
        MountFacts x, t;
        int r;

        r = mount_facts_get(instance_id, 0, &x);
        if (r < 0)
                return r;
        if (x.ns_id != mntns_id || x.parent_id != target_id || !x.point_known || !streq(x.point, BPFFS_PATH))
                return -ESTALE;
        r = bpffs_token_bind_present(&x, 0);
        if (r <= 0)
                return r < 0 ? r : -ESTALE;
        r = mount_facts_get(target_id, 0, &t);
        if (r < 0)
                return r;
        r = mount_propagates_elsewhere(mntns_fd, mntns_id, proc_fd, &t, NULL);
        if (r != 0)
                return r < 0 ? r : -EXDEV;
        return 0;
}

/* In the target mount namespace: check the target, then (sent once the parent built it) attach the
 * tree at /sys/fs/bpf. keep: sock, mntns, proc. */
static _noreturn_ void body_attach(int sock, const int *keep, const void *userdata) {
        _cleanup_(closep) int target_fd = -EBADF, mnt_fd = -EBADF;
        const AttachContext *c = userdata;
        int mntns_fd = keep[1], proc_fd = keep[2], go = GO_ATTACH, r;
        uint64_t mntns_id, target_id, instance_id;
        MountFacts t;
        bool is_root;

        r = mntns_get_id(mntns_fd, &mntns_id);
        if (r < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_MNTNS, -r), -EBADF);
        if (setns(mntns_fd, CLONE_NEWNS) < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_MNTNS, errno), -EBADF);
        fault_point("mntns-joined");

        /* The one path resolution in the caller's namespace. */
        target_fd = bpffs_open_target();
        if (target_fd < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_TARGET, -target_fd), -EBADF);
        r = fd_get_mount_id(target_fd, &target_id, &is_root);
        if (r >= 0)
                r = mount_facts_get(target_id, 0, &t);
        if (r >= 0 && t.ns_id != mntns_id)
                r = -EXDEV;
        if (r < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_TARGET, -r), -EBADF);

        if (target_is_our_instance(sock, target_fd, &t, is_root, c))
                _exit(EXIT_SUCCESS);

        r = mount_propagates_elsewhere(mntns_fd, mntns_id, proc_fd, &t, NULL);
        if (r != 0)
                helper_exit(sock, r < 0 ? STATUS(BPFFS_STEP_SHARED, -r) : STATUS(BPFFS_STEP_SHARED, EXDEV), -EBADF);
        fault_point("target-checked");

        /* The instance, from the parent: our own mount (its ID read from the fd, not from a word). */
        if (send_status_fd(sock, STATUS_READY, -EBADF) < 0 || recv_status_fd(sock, &go, &mnt_fd) < 0 || mnt_fd < 0)
                _exit(EXIT_FAILURE);
        r = fd_get_mount_id(mnt_fd, &instance_id, NULL);
        if (r < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_HELPER, -r), -EBADF);

        r = sys_move_mount(mnt_fd, "", target_fd, "",
                           BPFTOKEN_MOVE_MOUNT_F_EMPTY_PATH|BPFTOKEN_MOVE_MOUNT_T_EMPTY_PATH);
        if (r < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_ATTACH, -r), -EBADF);
        fault_point("attached");

        r = go == GO_ATTACH_BIND_AFTER ? bpffs_bind_token(mnt_fd) : 0;
        if (r < 0) {
                (void) detach_by_fd(proc_fd, mnt_fd);
                helper_exit(sock, STATUS(BPFFS_STEP_TOKEN_BIND, -r), -EBADF);
        }
        r = verify_attached(mntns_fd, mntns_id, proc_fd, instance_id, target_id);
        if (r < 0) {
                (void) detach_by_fd(proc_fd, mnt_fd);
                helper_exit(sock, STATUS(BPFFS_STEP_VERIFY, -r), -EBADF);
        }
        fault_point("verified");
        helper_exit(sock, 0, -EBADF);
}

static _noreturn_ void body_detach(int sock, const int *keep, const void *userdata) {
        int r;

        if (setns(keep[1], CLONE_NEWNS) < 0)
                helper_exit(sock, STATUS(BPFFS_STEP_MNTNS, errno), -EBADF);
        r = detach_by_fd(keep[3], keep[2]);
        helper_exit(sock, r < 0 ? STATUS(BPFFS_STEP_ATTACH, -r) : 0, -EBADF);
}

/* --- the parent --- */

/* If our mount ended up in the caller's mount namespace without a verified success (a helper was
 * killed or timed out after move_mount), detach it, so that a retry never finds half a grant. */
static void rollback_if_attached(int mntns_fd, int mnt_fd, int proc_fd, uint64_t instance_id) {
        int keep[] = { -EBADF, mntns_fd, mnt_fd, proc_fd }, status = 0, fd = -EBADF;
        uint64_t mntns_id;
        MountFacts x;
        BpffsStep step;

        if (mntns_get_id(mntns_fd, &mntns_id) < 0 || mount_facts_get(instance_id, mntns_id, &x) < 0)
                return; /* not in that namespace: still detached, or gone with it */
        if (run_helper(keep, ELEMENTSOF(keep), body_detach, NULL, 0, &status, &fd, &step) >= 0)
                safe_close(fd);
}

/* The attach helper's candidate: ask from inside the user namespace whether it is this namespace's
 * instance, with this delegation (or without any, for an all-zero one). 1 yes, 0 no (another
 * namespace's, or no instance), -ESTALE ours with other masks, -errno. */
static int candidate_is_ours(int userns_fd, int candidate_fd, const AttachContext *c) {
        int keep[] = { -EBADF, userns_fd, candidate_fd }, status = 0, fd = -EBADF, r;
        BpffsStep step;

        r = run_helper(keep, ELEMENTSOF(keep), body_check_owner, &c->delegation, sizeof c->delegation, &status, &fd,
                       &step);
        safe_close(fd);
        if (r < 0)
                return r;
        if (c->zero_delegation)
                return status == STATUS(BPFFS_STEP_NONE, ENOENT);
        if (status == STATUS(BPFFS_STEP_NONE, ESTALE))
                return -ESTALE;
        return status == 0;
}

/* Start the attach helper: it joins the caller's mount namespace and checks the target while the
 * instance is being built (attach_finish() hands it over). */
static int attach_start(int mntns_fd, const AttachContext *c, Helper *h, int *ret_proc_fd, BpffsStep *ret_step) {
        _cleanup_(closep) int proc_fd = -EBADF;
        int keep[3], r;

        proc_fd = open("/proc", O_PATH|O_DIRECTORY|O_CLOEXEC);
        if (proc_fd < 0) {
                *ret_step = BPFFS_STEP_HELPER;
                return -errno;
        }
        keep[0] = -EBADF;
        keep[1] = mntns_fd;
        keep[2] = proc_fd;
        r = helper_start_job(keep, ELEMENTSOF(keep), body_attach, c, sizeof *c, h);
        if (r < 0) {
                *ret_step = BPFFS_STEP_HELPER;
                return r;
        }
        *ret_proc_fd = TAKE_FD(proc_fd);
        return 0;
}

/* Answer the attach helper's words: a candidate instance already there (is it ours?), ready (here is
 * the instance), and its last word. 1 if an instance of ours was there already, 0 attached, -errno
 * (then anything attached is rolled back). */
static int attach_finish(Helper *h, int userns_fd, int mntns_fd, const BuiltInstance *b, int proc_fd,
                         const AttachContext *c, BpffsStep *ret_step) {
        int status = 0, r;

        for (;;) {
                _cleanup_(closep) int fd = -EBADF;

                r = instance_helper_recv(h, &status, &fd, ret_step);
                if (r < 0)
                        break;
                if (status == STATUS_READY) {
                        r = send_status_fd(h->sock, b->bind_after_attach ? GO_ATTACH_BIND_AFTER : GO_ATTACH, b->mnt_fd);
                        if (r < 0) {
                                *ret_step = BPFFS_STEP_HELPER;
                                break;
                        }
                        continue;
                }
                if (status != STATUS_CANDIDATE || fd < 0)
                        break;
                r = candidate_is_ours(userns_fd, fd, c);
                if (r < 0) {
                        *ret_step = r == -ESTALE ? BPFFS_STEP_EXISTING : BPFFS_STEP_HELPER;
                        break;
                }
                if (send_status_fd(h->sock, r > 0 ? VERDICT_ALREADY_ATTACHED : VERDICT_ATTACH, -EBADF) < 0) {
                        *ret_step = BPFFS_STEP_HELPER;
                        r = -EPROTO;
                        break;
                }
                if (r > 0) {
                        helper_release(h);
                        return 1;
                }
        }
        if (r >= 0) {
                helper_release(h);
                if (status != 0) {
                        /* The helper's own word on what failed. */
                        *ret_step = STATUS_STEP(status);
                        r = -STATUS_ERRNO(status);
                }
        } else
                helper_stop(h);

        if (r < 0) {
                rollback_if_attached(mntns_fd, b->mnt_fd, proc_fd, b->id);
                return r;
        }
        fault_point("parent-attached");
        return 0;
}

static int open_context(int userns_fd, int *ret_fs_fd, BpffsStep *ret_step) {
        int keep[] = { -EBADF, userns_fd }, status = 0, fs_fd = -EBADF, r;

        r = run_helper(keep, ELEMENTSOF(keep), body_open_context, NULL, 0, &status, &fs_fd, ret_step);
        if (r < 0)
                return r;
        if (status != 0) {
                safe_close(fs_fd);
                *ret_step = STATUS_STEP(status);
                return -STATUS_ERRNO(status);
        }
        if (fs_fd < 0) {
                *ret_step = BPFFS_STEP_HELPER;
                return -EBADMSG;
        }
        *ret_fs_fd = fs_fd;
        return 0;
}

int instance_publish(int userns_fd, int mntns_fd, uid_t owner_uid, gid_t owner_gid, const Delegation *d,
                     BpffsStep *ret_step) {
        _cleanup_(closep) int fs_fd = -EBADF, mnt_fd = -EBADF, proc_fd = -EBADF;
        _cleanup_(helper_stop) Helper h = HELPER_NULL;
        AttachContext c = { .delegation = *d, .zero_delegation = true };
        BuiltInstance b = { .mnt_fd = -EBADF };
        int r;

        *ret_step = BPFFS_STEP_NONE;
        for (BpfKind k = 0; k < _BPF_KIND_MAX; k++)
                if (d->masks[k] != 0)
                        c.zero_delegation = false;

        r = open_context(userns_fd, &fs_fd, ret_step);
        if (r < 0)
                return r;

        /* The attach helper checks the target in the caller's namespace while the instance is built here. */
        r = attach_start(mntns_fd, &c, &h, &proc_fd, ret_step);
        if (r < 0)
                return r;

        r = bpffs_configure(fs_fd, d, ret_step);
        if (r < 0)
                return r;

        mnt_fd = sys_fsmount(fs_fd, BPFTOKEN_FSMOUNT_CLOEXEC, 0);
        if (mnt_fd < 0) {
                *ret_step = BPFFS_STEP_FSMOUNT;
                return mnt_fd;
        }
        fs_fd = safe_close(fs_fd);

        r = bpffs_make_token_dir(mnt_fd, owner_uid, owner_gid);
        if (r >= 0)
                r = fault_point("bind-detached") ? -EINVAL : bpffs_bind_token(mnt_fd);
        if (r == -EINVAL) {
                /* Linux < 6.15 cannot mount onto a detached tree: bind after the attach. */
                b.bind_after_attach = true;
                r = 0;
        }
        if (r >= 0)
                r = fd_get_mount_id(mnt_fd, &b.id, NULL);
        if (r < 0) {
                *ret_step = BPFFS_STEP_TOKEN_BIND;
                return r;
        }
        fault_point("tree-built");

        b.mnt_fd = mnt_fd;
        return attach_finish(&h, userns_fd, mntns_fd, &b, proc_fd, &c, ret_step);
}
