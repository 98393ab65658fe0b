/*
 * password.c -- argon2id password hashes through libsodium, computed in a
 * bounded number of slots per host.
 */
#include "identity/password.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/log.h"

#define OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEM crypto_pwhash_MEMLIMIT_INTERACTIVE
#define SLOT_WAIT_MS 5000

static char slot_dir[512];
static long slot_count;
static char dummy_hash[PASSWORD_HASH_MAX];

void
password_slots_init(const char *dir, long n)
{
    snprintf(slot_dir, sizeof(slot_dir), "%s", dir);
    slot_count = n;
    mkdir(dir, 0700);
}

/* Take a slot: returns the locked fd, -1 when none came free in time, or
 * -2 when slots are not configured (unbounded). */
static int
slot_take(void)
{
    long waited = 0, i, start;

    if (slot_count <= 0)
        return -2;
    start = (long)(getpid() % slot_count);
    for (;;) {
        for (i = 0; i < slot_count; i++) {
            char path[600];
            int fd;

            snprintf(path, sizeof(path), "%s/.pwhash-%ld.lock", slot_dir,
                     (start + i) % slot_count);
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
            if (fd < 0)
                return -2; /* cannot bound: better slow than broken */
            if (flock(fd, LOCK_EX | LOCK_NB) == 0)
                return fd;
            close(fd);
        }
        if (waited >= SLOT_WAIT_MS) {
            log_warn("password.busy", "slots=%ld", slot_count);
            return -1;
        }
        {
            struct timespec ts = { 0, 20 * 1000000L };

            nanosleep(&ts, NULL);
            waited += 20;
        }
    }
}

static void
slot_give(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}

enum app_err
password_hash(struct str password, char *out)
{
    int slot = slot_take();
    int rc;

    if (slot == -1)
        return APP_ETHROTTLED;
    rc = crypto_pwhash_str_alg(out, password.p, password.len, OPS, MEM,
                               crypto_pwhash_ALG_ARGON2ID13);
    slot_give(slot);
    return rc == 0 ? APP_OK : APP_ENOMEM;
}

enum app_err
password_verify(const char *hash, struct str password)
{
    int slot, rc;
    bool real = hash != NULL && strncmp(hash, "$argon2id$", 10) == 0;

    if (!real && dummy_hash[0] == '\0') {
        /* Made once per process; its cost is what an unknown account's
         * check costs, like a real one. */
        if (crypto_pwhash_str_alg(dummy_hash, "dummy", 5, OPS, MEM,
                                  crypto_pwhash_ALG_ARGON2ID13) != 0)
            return APP_ENOMEM;
    }
    slot = slot_take();
    if (slot == -1)
        return APP_ETHROTTLED;
    rc = crypto_pwhash_str_verify(real ? hash : dummy_hash, password.p,
                                  password.len);
    slot_give(slot);
    return real && rc == 0 ? APP_OK : APP_EFORBIDDEN;
}

bool
password_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, OPS, MEM) != 0;
}

void
password_generate(char *out)
{
    /* No 0/O, 1/l/I: passwords are read aloud and typed from paper. */
    static const char alphabet[] = "23456789abcdefghijkmnpqrstuvwxyz"
                                   "ABCDEFGHJKLMNPQRSTUVWXYZ";
    size_t i;

    for (i = 0; i < 16; i++)
        out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    out[16] = '\0';
}
