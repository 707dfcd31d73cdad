/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One request of a caller of bpftoken-publish.socket: identify the peer, find its policy, check its
 * namespaces, create and attach the instance, reply, and log the decision.
 */
#include <sched.h>
#include <sys/socket.h>

#include "bpf-names.h"
#include "cgroup-confine.h"
#include "cgroup-util.h"
#include "config.h"
#include "decision-log.h"
#include "delegation.h"
#include "helper.h"
#include "instance.h"
#include "log.h"
#include "macro.h"
#include "namespace-util.h"
#include "netns.h"
#include "peer.h"
#include "policy.h"
#include "protocol.h"
#include "syscalls.h"
#include "publish-request.h"
#include "token-errors.h"

/* Warn about each policy file that did not load; keep the fail-closed sentence for the reply. */
static void report_policy_file(const char *path, int error, const char *message, void *userdata) {
        char *refusal = userdata;

        if (!path && error == -EBADMSG) {
                snprintf(refusal, PUBLISH_MESSAGE_MAX, "%s", message);
                return;
        }
        log_warning_errno(error, "%s", message);
}

/* Reply (with netns_fd, if >= 0), then log the same sentence: the caller does not wait for the
 * journal. Returns 0 so that a refusal is not an error of the publisher itself. */
static int answer_fd(int sock, DecisionResult result, const Peer *peer, const Policy *policy, const BpfNames *names,
                     int error, unsigned flags, const char *message, int netns_fd) {
        int r;

        r = publish_reply_send_fd(sock, error, flags, result == DECISION_GRANTED && policy ? &policy->delegation : NULL,
                                  message, netns_fd);
        decision_log(result, peer, policy ? policy->path : NULL, names, policy ? &policy->delegation : NULL, error,
                     message);
        if (r < 0)
                log_debug_errno(r, "Failed to send the reply, the caller is gone: %m");
        return 0;
}

static int answer(int sock, DecisionResult result, const Peer *peer, const Policy *policy, const BpfNames *names,
                  int error, unsigned flags, const char *message) {
        return answer_fd(sock, result, peer, policy, names, error, flags, message, -EBADF);
}

static int publish_confine_cgroups(const Peer *peer, char *message, size_t size) {
        _cleanup_(freep) char *unit_path = NULL;
        CgroupConfineStep step = CGROUP_CONFINE_STEP_UNIT_CGROUP;
        CgroupConfineTarget t;
        int r;

        r = cgroup_pid_get_unit_path(peer->pid, &unit_path);
        if (r >= 0)
                r = sys_pidfd_send_signal(peer->pidfd, 0); /* the path was not a recycled PID's */
        if (r >= 0) {
                t = (CgroupConfineTarget) {
                        .mntns_fd = peer->mntns_fd,
                        .userns_fd = peer->userns_fd,
                        .pidfd = peer->pidfd,
                        .pid = peer->pid,
                        .unit_path = unit_path,
                };
                r = cgroup_confine_unit(&t, &step);
        }
        if (r < 0) {
                snprintf(message, size, "%s (step %s: %s)", cgroup_confine_error_sentence(step, r),
                         cgroup_confine_step_to_string(step), strerror(-r));
                return r;
        }
        log_debug("%s: cgroup programs confined to %s (%s).", peer->unit ?: "caller", unit_path,
                  r > 0 ? "ProtectControlGroups=private already did it" : "bind mount on /sys/fs/cgroup");
        return 0;
}

/* Issue 8: a network namespace owned by the unit's user namespace, in place of its private one (see
 * netns.h). */
static int publish_own_netns(const Peer *peer, pid_t host_pid, int *ret_fd, char *message, size_t size) {
        _cleanup_(closep) int peer_netns = -EBADF, host_netns = -EBADF, host_pidfd = -EBADF;
        NetnsStep step = NETNS_STEP_HELPER;
        int r;

        r = pidfd_get_namespace(peer->pidfd, peer->pid, CLONE_NEWNET, &peer_netns);
        if (r >= 0)
                r = host_pidfd = sys_pidfd_open(host_pid, 0);
        if (r >= 0)
                r = pidfd_get_namespace(host_pidfd, host_pid, CLONE_NEWNET, &host_netns);
        if (r >= 0)
                r = netns_create_owned(peer->userns_fd, peer_netns, host_netns, ret_fd, &step);
        if (r < 0)
                snprintf(message, size, "%s (step %s: %s)",
                         step == NETNS_STEP_NOT_PRIVATE
                         ? "The caller asked for a network namespace of its own but shares the host's: give the "
                           "unit PrivateNetwork=yes."
                         : "A network namespace owned by the unit's user namespace could not be created.",
                         netns_step_to_string(step), strerror(-r));
        return r;
}

static int handle_connection(int sock, const PublishConfig *config) {
        _cleanup_(peer_done) Peer peer = { .pidfd = -EBADF, .userns_fd = -EBADF, .mntns_fd = -EBADF };
        _cleanup_(bpf_names_freep) BpfNames *names_owned = NULL;
        const BpfNames *names = config->names; /* cached by the long-lived publisher, else loaded here */
        _cleanup_(policy_freep) Policy *policy = NULL;
        struct timeval tv = { .tv_sec = PUBLISH_REQUEST_TIMEOUT_SEC };
        _cleanup_(closep) int netns_fd = -EBADF;
        const char *reason = NULL;
        PublishRequest req;
        PolicyCaller caller;
        char message[PUBLISH_MESSAGE_MAX], refusal[PUBLISH_MESSAGE_MAX] = "";
        BpffsStep step;
        int r;

        (void) setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void) setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

        r = peer_identify(sock, &peer);
        if (r < 0)
                return answer(sock, DECISION_REFUSED, NULL, NULL, NULL, r, 0,
                              "The caller could not be identified (it exited, or its namespaces are unreadable).");

        r = publish_request_recv(sock, &req);
        if (r < 0)
                return answer(sock, DECISION_REFUSED, &peer, NULL, NULL, r == -EBADMSG ? EBADMSG : -r, 0,
                              r == -EBADMSG ? "Malformed request (wrong size, magic, version or type, or file "
                                              "descriptors attached): refused."
                                            : "The request could not be read.");

        if (!names) {
                r = bpf_names_load(NULL, &names_owned);
                if (r < 0)
                        return answer(sock, DECISION_FAILED, &peer, NULL, NULL, r, 0,
                                      "The publisher could not load the kernel's BPF names.");
                names = names_owned;
        }

        caller = (PolicyCaller) {
                .unit = peer.unit,
                .uid = peer.uid,
                .gid = peer.gid,
                .groups = peer.groups,
                .n_groups = peer.n_groups,
        };
        r = policy_find(names, config->policy_dirs, &caller, &policy, report_policy_file, refusal);
        if (r == -EBADMSG)
                return answer(sock, DECISION_REFUSED, &peer, NULL, names, EBADMSG, 0, refusal);
        if (r == -ENOENT) {
                snprintf(message, sizeof message,
                         "No BPF delegation is configured for %s%s (uid %u): add BPFDelegate*= settings to the unit "
                         "and run 'systemctl daemon-reload', or a policy in %s.",
                         peer.unit ? "unit " : "this caller", peer.unit ?: "", (unsigned) peer.uid, BPFTOKEN_POLICY_DIR);
                return answer(sock, DECISION_REFUSED, &peer, NULL, names, EPERM, 0, message);
        }
        if (r < 0)
                return answer(sock, DECISION_FAILED, &peer, NULL, names, r, 0, "The policy could not be read.");

        r = peer_check_namespaces(&peer,
                                  policy->match == POLICY_MATCH_UNIT ? PEER_USERNS_OWNED_BY_ROOT
                                                                     : PEER_USERNS_OWNED_BY_ROOT_OR_UID,
                                  config->host_pid, &reason);
        if (r < 0)
                return answer(sock, DECISION_REFUSED, &peer, policy, names, r, 0, reason);

        /* Cgroup programs attach to any cgroup the caller can open: first confine its view to its own
         * cgroup (issue 8; see cgroup-confine.h). Before the instance, so a refusal leaves nothing. */
        if (delegation_cgroup_program_mask(names, &policy->delegation) != 0) {
                r = publish_confine_cgroups(&peer, message, sizeof message);
                if (r < 0)
                        return answer(sock, DECISION_REFUSED, &peer, policy, names, r, 0, message);
        }

        if (req.flags & PUBLISH_REQUEST_OWN_NETNS) {
                r = publish_own_netns(&peer, config->host_pid, &netns_fd, message, sizeof message);
                if (r < 0)
                        return answer(sock, r == -EXDEV ? DECISION_REFUSED : DECISION_FAILED, &peer, policy, names,
                                      r, 0, message);
        }

        r = instance_publish(peer.userns_fd, peer.mntns_fd, peer.uid, peer.gid, &policy->delegation, &step);
        if (r < 0) {
                snprintf(message, sizeof message, "%s (step %s: %s)", bpffs_error_sentence(step, r),
                         bpffs_step_to_string(step), strerror(-r));
                return answer(sock, DECISION_FAILED, &peer, policy, names, r, 0, message);
        }
        if (netns_fd >= 0)
                /* The reply carries the namespace; bpftoken-exec joins it (exec-netns.c). */
                return answer_fd(sock, DECISION_GRANTED, &peer, policy, names, 0,
                                 PUBLISH_REPLY_NETNS | (r > 0 ? PUBLISH_REPLY_ALREADY_ATTACHED : 0),
                                 "Delegated bpffs attached at /sys/fs/bpf, token path /sys/fs/bpf/token; network "
                                 "namespace attached.", netns_fd);
        return answer(sock, DECISION_GRANTED, &peer, policy, names, 0,
                      r > 0 ? PUBLISH_REPLY_ALREADY_ATTACHED : 0,
                      r > 0 ? "A delegated bpffs is already attached at /sys/fs/bpf in this mount namespace; "
                              "nothing stacked."
                            : "Delegated bpffs attached at /sys/fs/bpf, token path /sys/fs/bpf/token.");
}

int publish_handle_connection(int sock, const PublishConfig *config) {
        int r;

        r = handle_connection(sock, config);
        /* The caller has its answer: now wait for the helpers still exiting (helper.h). */
        helper_reap_released();
        return r;
}
