/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "token-errors.h"

const char *token_create_error_sentence(int error) {
        switch (error < 0 ? -error : error) {
        case 0:
                return "The BPF token was created.";
        case ENOENT:
                return "The bpffs at /sys/fs/bpf delegates nothing: set at least one of "
                       "BPFDelegateCommands=, BPFDelegateMaps=, BPFDelegatePrograms=, BPFDelegateAttachments=.";
        case EOPNOTSUPP:
                return "A BPF token cannot be used in the initial user namespace: run the program in a user "
                       "namespace of its own (PrivateUsers=yes, or bpftoken-exec as root with --delegate-* options).";
        case EPERM:
                return "The token was refused: the bpffs belongs to a different user namespace than this process, "
                       "or this process lacks CAP_BPF inside its user namespace (for User= and DynamicUser= units "
                       "add AmbientCapabilities=CAP_BPF).";
        case EINVAL:
                return "/sys/fs/bpf is not the root of a bpffs instance: the delegated instance was not attached "
                       "(is bpftoken-exec running in the unit, and PrivateMounts=yes set?).";
        case EBADF:
                return "The bpffs was passed as an O_PATH or closed file descriptor: open the directory for "
                       "reading before calling BPF_TOKEN_CREATE.";
        case ENOSYS:
                return "This kernel has no bpf() system call or no BPF token support: Linux >= 6.9 is required.";
        case EACCES:
                return "Permission to use the bpffs at /sys/fs/bpf was denied (an LSM or the directory's mode).";
        default:
                return "BPF_TOKEN_CREATE failed unexpectedly.";
        }
}

const char *bpffs_error_sentence(BpffsStep step, int error) {
        if (error < 0)
                error = -error;

        switch (step) {
        case BPFFS_STEP_FSOPEN:
                return error == ENODEV ? "The kernel has no bpffs (CONFIG_BPF_SYSCALL is off)."
                                       : "Could not open a bpffs context inside the program's user namespace.";
        case BPFFS_STEP_PROBE:
                return "This kernel does not support BPF token delegation (it ignores delegate_* mount "
                       "options): Linux >= 6.9 is required.";
        case BPFFS_STEP_DELEGATE_CMDS:
        case BPFFS_STEP_DELEGATE_MAPS:
        case BPFFS_STEP_DELEGATE_PROGS:
        case BPFFS_STEP_DELEGATE_ATTACHS:
                return error == EPERM ? "Setting delegate_* options needs CAP_SYS_ADMIN in the initial user "
                                        "namespace: run bpftoken-publish (or bpftoken-exec) as root on the host."
                                      : "The kernel rejected a delegate_* mask: a bit is beyond what this kernel knows.";
        case BPFFS_STEP_CREATE:
                return error == EPERM ? "Creating a bpffs for another user namespace needs CAP_SYS_ADMIN in the "
                                        "initial user namespace (bpftoken-publish must not run in a container "
                                        "that lacks it)."
                                      : "The kernel refused to create the delegated bpffs instance.";
        case BPFFS_STEP_FSMOUNT:
                return "Could not make a mount of the delegated bpffs instance.";
        case BPFFS_STEP_TARGET:
                return error == ENOENT ? "/sys/fs/bpf does not exist in the program's mount namespace: mount sysfs."
                       : error == ELOOP ? "/sys/fs/bpf is a symbolic link in the program's mount namespace: refusing."
                       : "Could not open /sys/fs/bpf in the program's mount namespace.";
        case BPFFS_STEP_SHARED:
                return "/sys/fs/bpf in the program's mount namespace propagates to other mount namespaces: a "
                       "private mount namespace is needed (PrivateMounts=yes).";
        case BPFFS_STEP_ATTACH:
                return "Could not attach the delegated bpffs at /sys/fs/bpf in the program's mount namespace.";
        case BPFFS_STEP_TOKEN_BIND:
                return "Could not prepare the read-only bind of the instance at /sys/fs/bpf/token.";
        case BPFFS_STEP_USERNS:
                return "Could not join the program's user namespace.";
        case BPFFS_STEP_MNTNS:
                return "Could not join the program's mount namespace.";
        case BPFFS_STEP_HELPER:
                return "A helper process of the publisher failed.";
        case BPFFS_STEP_VERIFY:
                return "The mount at /sys/fs/bpf changed while the instance was attached (it is not the mount the "
                       "publisher created, or it landed elsewhere): the attach was rolled back.";
        case BPFFS_STEP_EXISTING:
                return "An instance of this user namespace with other delegate_* masks than the policy's is already "
                       "attached at /sys/fs/bpf (the policy changed since): refusing rather than stacking a second "
                       "one; restart the unit.";
        case BPFFS_STEP_DEADLINE:
                return "A helper of the publisher did not finish in time and was killed; nothing was attached.";
        default:
                return "Setting up the delegated bpffs failed.";
        }
}

const char *publisher_connect_error_sentence(int error) {
        switch (error < 0 ? -error : error) {
        case ENOENT:
        case ECONNREFUSED:
                return "The bpftoken publisher is not running: enable it with 'systemctl enable --now "
                       "bpftoken-publish.socket'.";
        case EACCES:
        case EPERM:
                return "Access to the bpftoken publisher socket was denied (RestrictAddressFamilies= must allow "
                       "AF_UNIX, and the socket must be reachable from the unit's mount namespace).";
        case EAFNOSUPPORT:
                return "AF_UNIX sockets are not allowed for this program: add AF_UNIX to RestrictAddressFamilies=.";
        default:
                return "Could not reach the bpftoken publisher.";
        }
}
