/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plainest libbpf application, for 'learn': bpf_object__open_file() + bpf_object__load(), no
 * token option. Built statically against a libbpf >= 1.4 (meson -Dlibbpf-token-root=, from
 * test/tools/fetch-libbpf.sh), which creates the token by itself from LIBBPF_BPF_TOKEN_PATH.
 *
 *   learn-loader OBJECT     exit 0 when every map and program loaded
 */
#include <stdio.h>

#include <bpf/libbpf.h>

int main(int argc, char *argv[]) {
        struct bpf_object *obj;

        if (argc != 2) {
                fprintf(stderr, "usage: learn-loader OBJECT\n");
                return 2;
        }
        obj = bpf_object__open_file(argv[1], NULL);
        if (!obj)
                return 1;
        if (bpf_object__load(obj) < 0) {
                bpf_object__close(obj);
                return 1;
        }
        printf("loaded %s with libbpf %s\n", argv[1], libbpf_version_string());
        bpf_object__close(obj);
        return 0;
}
