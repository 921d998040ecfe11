/* input_file.c -- see input_file.h. */
#include "io/input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int input_file_open(const char *path, char *error, size_t capacity) {
    int descriptor;
    do descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    while (descriptor < 0 && errno == EINTR);
    if (descriptor < 0) {
        int saved = errno;
        snprintf(error, capacity, "%s: cannot open: %s", path, strerror(saved));
        errno = saved;
        return -1;
    }
    struct stat status;
    if (fstat(descriptor, &status) != 0 || !S_ISREG(status.st_mode)) {
        close(descriptor);
        snprintf(error, capacity, "%s: not a regular file (a folder, FIFO or device)", path);
        errno = EINVAL;
        return -1;
    }
    int flags = fcntl(descriptor, F_GETFL);
    if (flags >= 0) (void)fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK);
    return descriptor;
}

FILE *input_file_fopen(const char *path, char *error, size_t capacity) {
    int descriptor = input_file_open(path, error, capacity);
    if (descriptor < 0) return NULL;
    FILE *file = fdopen(descriptor, "rb");
    if (file == NULL) {
        snprintf(error, capacity, "%s: cannot open: %s", path, strerror(errno));
        close(descriptor);
    }
    return file;
}
