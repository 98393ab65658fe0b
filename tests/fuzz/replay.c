/*
 * replay.c -- a main() for fuzz targets built without libFuzzer: feeds every
 * file of the given directories (and an empty input) to
 * LLVMFuzzerTestOneInput once.  `make test` builds the targets with gcc and
 * ASan/UBSan and replays the seed corpora, so a regression that crashes on a
 * known input fails the test run even where clang is absent.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define REPLAY_MAX_INPUT (1 << 20)

static int
replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    size_t n;

    if (f == NULL) {
        perror(path);
        return -1;
    }
    data = malloc(REPLAY_MAX_INPUT);
    if (data == NULL) {
        fclose(f);
        return -1;
    }
    n = fread(data, 1, REPLAY_MAX_INPUT, f);
    fclose(f);
    LLVMFuzzerTestOneInput(data, n);
    free(data);
    return 0;
}

int
main(int argc, char **argv)
{
    int i, count = 0;

    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    for (i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        struct dirent *e;

        if (d == NULL) {
            perror(argv[i]);
            return 1;
        }
        while ((e = readdir(d)) != NULL) {
            char path[4096];

            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (replay_file(path) != 0)
                return 1;
            count++;
        }
        closedir(d);
    }
    printf("  %s: %d inputs replayed\n", argv[0], count);
    return 0;
}
