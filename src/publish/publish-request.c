/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One request of a caller of bpftoken-publish.socket: identify the peer, find its policy, check its
 * namespaces, create and attach the instance, reply, and log the decision.
 */
#include <sys/socket.h>

#include "bpf-names.h"
#include "config.h"
#include "decision-log.h"
#include "delegation.h"
#include "instance.h"
#include "log.h"
#include "macro.h"
#include "peer.h"
#include "policy.h"
#include "protocol.h"
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

/* Reply and log; returns 0 so that a refusal is not an error of the publisher itself. */
static int answer(int sock, DecisionResult result, const Peer *peer, const Policy *policy, const BpfNames *names,
                  int error, unsigned flags, const char *message) {
        int r;

        decision_log(result, peer, policy ? policy->path : NULL, names, policy ? &policy->delegation : NULL, error,
                     message);
        r = publish_reply_send(sock, error, flags, result == DECISION_GRANTED && policy ? &policy->delegation : NULL,
                               message);
        if (r < 0)
                log_debug_errno(r, "Failed to send the reply, the caller is gone: %m");
        return 0;
}

int publish_handle_connection(int sock, const PublishConfig *config) {
        _cleanup_(peer_done) Peer peer = { .pidfd = -EBADF, .userns_fd = -EBADF, .mntns_fd = -EBADF };
        _cleanup_(bpf_names_freep) BpfNames *names = NULL;
        _cleanup_(policy_freep) Policy *policy = NULL;
        struct timeval tv = { .tv_sec = PUBLISH_REQUEST_TIMEOUT_SEC };
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

        r = bpf_names_load(NULL, &names);
        if (r < 0)
                return answer(sock, DECISION_FAILED, &peer, NULL, NULL, r, 0,
                              "The publisher could not load the kernel's BPF names.");

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

        r = instance_publish(peer.userns_fd, peer.mntns_fd, peer.uid, peer.gid, &policy->delegation, &step);
        if (r < 0) {
                snprintf(message, sizeof message, "%s (step %s: %s)", bpffs_error_sentence(step, r),
                         bpffs_step_to_string(step), strerror(-r));
                return answer(sock, DECISION_FAILED, &peer, policy, names, r, 0, message);
        }
        return answer(sock, DECISION_GRANTED, &peer, policy, names, 0,
                      r > 0 ? PUBLISH_REPLY_ALREADY_ATTACHED : 0,
                      r > 0 ? "A delegated bpffs is already attached at /sys/fs/bpf in this mount namespace; "
                              "nothing stacked."
                            : "Delegated bpffs attached at /sys/fs/bpf, token path /sys/fs/bpf/token.");
}
