// SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause)
/*
 * BPF iterators for the host scans of bpftoken-analyze: iter/task_file visits every open file of
 * every process in the kernel, and writes one record per BPF token (a file whose fdinfo the token
 * code prints) with its masks. The scan then reads /proc only for the processes that hold one.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <stdbool.h>

#include "bpftoken-iter.h"

struct seq_file;

struct bpf_iter_meta {
        struct seq_file *seq;
} __attribute__((preserve_access_index));

struct qstr {
        const unsigned char *name;
} __attribute__((preserve_access_index));

struct dentry {
        struct qstr d_name;
} __attribute__((preserve_access_index));

struct path {
        struct dentry *dentry;
} __attribute__((preserve_access_index));

struct super_block {
        unsigned long s_magic;
} __attribute__((preserve_access_index));

struct inode {
        struct super_block *i_sb;
} __attribute__((preserve_access_index));

struct file {
        struct path f_path;
        struct inode *f_inode;
        void *private_data;
} __attribute__((preserve_access_index));

struct task_struct {
        int tgid;
        char comm[16];
} __attribute__((preserve_access_index));

struct bpf_iter__task_file {
        struct bpf_iter_meta *meta;
        struct task_struct *task;
        __u32 fd;
        struct file *file;
} __attribute__((preserve_access_index));

struct bpf_token {
        __u64 allowed_cmds;
        __u64 allowed_maps;
        __u64 allowed_progs;
        __u64 allowed_attachs;
} __attribute__((preserve_access_index));

#define BPF_FS_MAGIC 0xcafe4a11

/* A token is a pseudo file named "bpf-token" on a bpffs (kernel/bpf/token.c). Telling it by its name
 * rather than by its file operations spares loading a kernel symbol (reading /proc/kallsyms costs
 * more than the whole scan); a look-alike can only add a process to the list, and the scan reads
 * that process's fdinfo, which tells a token for sure. */
static __always_inline bool is_token_file(struct file *file) {
        static const char want[10] = "bpf-token";
        char name[10] = {};
        const unsigned char *p;

        if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) != BPF_FS_MAGIC)
                return false;
        p = BPF_CORE_READ(file, f_path.dentry, d_name.name);
        if (!p || bpf_probe_read_kernel_str(name, sizeof name, p) != sizeof name)
                return false;
        for (int i = 0; i < (int) sizeof name; i++)
                if (name[i] != want[i])
                        return false;
        return true;
}

SEC("iter/task_file")
int bpftoken_token_files(struct bpf_iter__task_file *ctx) {
        struct bpftoken_iter_token rec = {};
        struct file *file = ctx->file;
        struct task_struct *task = ctx->task;
        struct bpf_token *token;

        if (!file || !task)
                return 0;
        if (!is_token_file(file))
                return 0;
        token = BPF_CORE_READ(file, private_data);
        if (!token)
                return 0;
        rec.tgid = (__u32) BPF_CORE_READ(task, tgid);
        rec.fd = ctx->fd;
        rec.allowed[0] = BPF_CORE_READ(token, allowed_cmds);
        rec.allowed[1] = BPF_CORE_READ(token, allowed_maps);
        rec.allowed[2] = BPF_CORE_READ(token, allowed_progs);
        rec.allowed[3] = BPF_CORE_READ(token, allowed_attachs);
        BPF_CORE_READ_STR_INTO(&rec.comm, task, comm);
        bpf_seq_write(ctx->meta->seq, &rec, sizeof rec);
        return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
