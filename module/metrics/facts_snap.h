/*
 * facts_snap.h -- a company's metric facts as a file under
 * <tmp_dir>/facts that every worker of a host maps (MAP_PRIVATE).
 *
 * The first worker to need a company loads it from the database, writes
 * the snapshot and maps it; the others (and the workers after a restart)
 * map the same file and catch up from its change id.  Pages nobody
 * changes stay shared between the workers, so a host holds one copy of
 * the facts, and a cold start reads a file instead of every activity.
 * Arrays are written with room to grow; a change within it touches only
 * its own pages (copied on write, private to the worker), growth past it
 * copies the array out of the file.  A snapshot older than
 * FACTS_SNAP_MAX_S is not used (the change sequence is pruned after a
 * day).  Loads of one company are serialised by a lock file, so two
 * workers starting together load it once.
 */
#ifndef PROOFLINE_FACTS_SNAP_H
#define PROOFLINE_FACTS_SNAP_H

#include <stdbool.h>
#include <stdint.h>

#include "db/ctx.h"
#include "metrics/facts.h"

#define FACTS_SNAP_MAX_S (6 * 3600)

/* Take the company's load lock (blocks); the descriptor, -1 on failure
 * (then load without it). */
int facts_snap_lock(const struct ctx *cx, int64_t tenant);
void facts_snap_unlock(int fd);

/* Write f's snapshot (atomically: a new file renamed over the old). */
bool facts_snap_save(const struct ctx *cx, const struct facts *f);

/* The company's snapshot mapped, or NULL (none, stale, damaged, or from
 * another build). */
struct facts *facts_snap_map(const struct ctx *cx, int64_t tenant,
                             uint64_t now_ms);

#endif
