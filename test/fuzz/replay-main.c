/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replays every file of a corpus directory through LLVMFuzzerTestOneInput(). */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(int dir_fd, const char *name) {
        struct stat st;
        uint8_t *buf;
        ssize_t n;
        int fd;

        fd = openat(dir_fd, name, O_RDONLY|O_CLOEXEC|O_NOFOLLOW);
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                if (fd >= 0)
                        close(fd);
                return 0;
        }
        buf = malloc((size_t) st.st_size + 1);
        if (!buf) {
                close(fd);
                return -1;
        }
        n = read(fd, buf, (size_t) st.st_size);
        close(fd);
        if (n < 0) {
                free(buf);
                return -1;
        }
        LLVMFuzzerTestOneInput(buf, (size_t) n);
        free(buf);
        return 1;
}

int main(int argc, char *argv[]) {
        unsigned count = 0;
        struct dirent *de;
        DIR *d;

        if (argc != 2) {
                fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
                return 2;
        }
        d = opendir(argv[1]);
        if (!d) {
                fprintf(stderr, "cannot open corpus %s\n", argv[1]);
                return 1;
        }
        while ((de = readdir(d))) {
                int r;
                if (de->d_name[0] == '.')
                        continue;
                r = replay_file(dirfd(d), de->d_name);
                if (r < 0) {
                        closedir(d);
                        return 1;
                }
                count += r;
        }
        closedir(d);
        if (count == 0) {
                fprintf(stderr, "corpus %s is empty\n", argv[1]);
                return 1;
        }
        printf("replayed %u inputs from %s\n", count, argv[1]);
        return 0;
}
