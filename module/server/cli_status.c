/*
 * cli_status.c -- `proofline status`: the monitoring figures for a person.
 *
 * Reads the running server's shared counters from conf.stats_file (the
 * master maps that file; this maps it read-only) and asks the database
 * the same questions the endpoint asks, so the two always agree.
 */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/stats.h"
#include "db/db.h"
#include "server/cli.h"
#include "server/mon.h"

int
cmd_status(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "prometheus", false, NULL } };
    const char *pos[1];
    const struct stats *s;
    struct db *db = NULL;
    struct arena *a;
    struct mon_db d;
    char err[300];
    int npos, rc = 1;

    if (cli_parse("status", argc, argv, 1, opts, 1, pos, 0, &npos) != 0)
        return 2;
    s = stats_open(c->stats_file, err, sizeof(err));
    if (s == NULL) {
        fprintf(stderr,
                "proofline status: %s (is the server running with this "
                "configuration?)\n",
                err);
        return 1;
    }
    a = arena_new(64 * 1024, 16u << 20);
    if (a == NULL)
        goto out;
    if (db_library_init() == 0)
        db = db_new(c);
    mon_db_read(db, a, &d);
    if (cli_get(opts, 1, "prometheus") != NULL) {
        struct buf b;

        buf_init(&b, a, 8u << 20);
        if (mon_prometheus(&b, s, &d) != APP_OK) {
            fprintf(stderr, "proofline status: out of memory\n");
            goto out;
        }
        fwrite(b.p, 1, b.len, stdout);
    } else {
        mon_human(stdout, s, &d);
    }
    rc = 0;
out:
    db_free(db);
    arena_free(a);
    stats_close(s);
    return rc;
}
