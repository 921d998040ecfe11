/* replay_main.c -- runs a fuzz target over committed inputs, without libFuzzer.
 *
 *   replay_TARGET PATH...   each PATH a file or a folder of files (not
 *                           recursive, in name order)
 *
 * Feeds every file to LLVMFuzzerTestOneInput once, in a fixed order, and
 * prints "N inputs" at the end. A defect crashes the process (sanitizer or
 * FUZZ_CHECK) naming the input on stderr first; exit 2 on a usage or read
 * error. Used by tests/fuzz_corpus.sh (`make test`) and `make valgrind`. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/harness.h"

enum { REPLAY_PATH_CAPACITY = 4096 };

/* Reads the first FUZZ_INPUT_MAX bytes of path and runs the target on them. */
static int replay_file(const char *path) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        perror(path);
        return -1;
    }
    uint8_t *data = malloc(FUZZ_INPUT_MAX);
    if (data == NULL) {
        fclose(file);
        fprintf(stderr, "%s: out of memory\n", path);
        return -1;
    }
    size_t size = fread(data, 1, FUZZ_INPUT_MAX, file);
    int failed = ferror(file);
    fclose(file);
    if (failed) {
        free(data);
        fprintf(stderr, "%s: read error\n", path);
        return -1;
    }
    /* Named before the run, so that a crash report says which input it was. */
    fprintf(stderr, "input %s\n", path);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

static int skip_hidden(const struct dirent *entry) { return entry->d_name[0] != '.'; }

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_FOLDER...\n", argv[0]);
        return 2;
    }
    long inputs = 0;
    for (int index = 1; index < argc; index++) {
        struct stat status;
        if (stat(argv[index], &status) != 0) {
            perror(argv[index]);
            return 2;
        }
        if (!S_ISDIR(status.st_mode)) {
            if (replay_file(argv[index]) < 0) return 2;
            inputs++;
            continue;
        }
        struct dirent **entries = NULL;
        int count = scandir(argv[index], &entries, skip_hidden, alphasort);
        if (count < 0) {
            perror(argv[index]);
            return 2;
        }
        int status_code = 0;
        for (int entry = 0; entry < count; entry++) {
            char path[REPLAY_PATH_CAPACITY];
            snprintf(path, sizeof path, "%s/%s", argv[index], entries[entry]->d_name);
            struct stat file_status;
            if (status_code == 0 && stat(path, &file_status) == 0 && S_ISREG(file_status.st_mode)) {
                if (replay_file(path) < 0)
                    status_code = 2;
                else
                    inputs++;
            }
            free(entries[entry]);
        }
        free(entries);
        if (status_code != 0) return status_code;
    }
    printf("%ld inputs\n", inputs);
    return 0;
}
