"""bench_pos.py -- the POS import (issue 16) against MariaDB's own LOAD DATA.

Generates a CSV of BENCH_POS_LINES (2,000,000) sales lines for 862 stores
(fixed seed, in time order across the stores, as a POS export comes), then
in the same run, BENCH_POS_RUNS (3) times each, interleaved:

  - LOAD DATA: the same rows in pos_sales' own column format (no parsing,
    no checks, no duplicates to find), `LOAD DATA LOCAL INFILE` with the
    mariadb client into an empty copy of pos_sales;
  - import: `proofline pos import` of the CSV into an empty company with
    those stores and products: read, decode, every field checked, the
    duplicates looked for, stored, the rollups and the record written.

Prints the medians, rows/s and the ratio (import rows/s / LOAD DATA rows/s;
the target is >= 1 and <= 6 s).  BENCH_POS_BULK=1 also times the import
storing with array-bound INSERTs instead of LOAD DATA
(PROOFLINE_POS_STORE=bulk), the alternative the import was measured
against.
"""
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

LINES = int(os.environ.get("BENCH_POS_LINES", "2000000"))
RUNS = int(os.environ.get("BENCH_POS_RUNS", "3"))
STORES = 862
PRODUCTS = 400
SEED = 16
NULL = "\\N"


def generate(path_csv, path_tsv, tenant_of_tsv):
    """The CSV for the import and the same rows as the table's TSV (store
    and product ids are 1..N offsets fixed up per company by SQL)."""
    rnd = random.Random(SEED)
    day0 = 20393  # 2025-11-01
    secs = 0
    n = 0
    receipt_no = 0
    with open(path_csv, "w", encoding="utf-8") as c, \
            open(path_tsv, "w", encoding="ascii") as t:
        c.write("store,time,receipt,line,sku,qty,amount,member\n")
        while n < LINES:
            secs += rnd.randint(0, 2)
            day = day0 + secs // 50000
            hms = 8 * 3600 + secs % 50000
            store = rnd.randint(1, STORES)
            receipt_no += 1
            receipt = f"R{receipt_no:08d}"
            member = f"M{rnd.randint(1, 300000):07d}" \
                if rnd.random() < 0.3 else ""
            y, mo, d = civil(day)
            local = (f"{y:04d}-{mo:02d}-{d:02d} {hms // 3600:02d}:"
                     f"{hms // 60 % 60:02d}:{hms % 60:02d}")
            utc_s = hms - 8 * 3600
            uy, umo, ud = civil(day + utc_s // 86400)
            us = utc_s % 86400
            utc = (f"{uy:04d}-{umo:02d}-{ud:02d} {us // 3600:02d}:"
                   f"{us // 60 % 60:02d}:{us % 60:02d}")
            for line in range(1, rnd.randint(1, 5) + 1):
                if n >= LINES:
                    break
                sku = rnd.randint(1, PRODUCTS)
                qty = rnd.randint(1, 3)
                fen = qty * rnd.randint(100, 9999)
                c.write(f"S{store:03d},{local},{receipt},{line},"
                        f"K{sku:03d},{qty},{fen // 100}.{fen % 100:02d},"
                        f"{member}\n")
                t.write(f"{tenant_of_tsv}\t{store}\t{receipt}\t{line}\t{utc}"
                        f"\t{y:04d}-{mo:02d}-{d:02d}\t{sku}\t{qty}\t{fen}\t"
                        f"{member or NULL}\t0\n")
                n += 1


def civil(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def company(slug):
    benchlib.cli("tenant", "create", slug, f"POS bench {slug}")
    tid = benchlib.sql(f"SELECT id FROM tenants WHERE slug = '{slug}'")
    values = ",".join(f"({tid}, 'S{i:03d}', '门店{i}')"
                      for i in range(1, STORES + 1))
    benchlib.sql(f"INSERT INTO stores (tenant_id, code, name) VALUES {values}")
    values = ",".join(f"({tid}, 'K{i:03d}', 'product {i}')"
                      for i in range(1, PRODUCTS + 1))
    benchlib.sql(f"INSERT INTO products (tenant_id, sku, name) VALUES "
                 f"{values}")
    # Two products in an active campaign: their rollups are written too.
    benchlib.sql(f"INSERT INTO campaigns (tenant_id, product_id, name, "
                 f"launch_on) SELECT {tid}, id, sku, '2025-11-01' FROM "
                 f"products WHERE tenant_id = {tid} AND sku IN "
                 f"('K001', 'K002')")
    return tid


def load_data(tsv):
    benchlib.sql("DROP TABLE IF EXISTS pos_sales_baseline; "
                 "CREATE TABLE pos_sales_baseline LIKE pos_sales")
    user = subprocess.check_output(["id", "-un"], text=True).strip()
    t0 = time.monotonic()
    subprocess.run(
        ["mariadb", "--no-defaults", "--local-infile=1",
         f"--socket={benchlib.VAR}/run/mysqld.sock", "-u", user, "proofline",
         "-e", f"LOAD DATA LOCAL INFILE '{tsv}' INTO TABLE pos_sales_baseline "
         "CHARACTER SET ascii FIELDS TERMINATED BY '\\t' "
         "LINES TERMINATED BY '\\n' (tenant_id, store_id, receipt, line, "
         "sold_at, day, product_id, qty, amount_fen, member, import_id)"],
        check=True)
    s = time.monotonic() - t0
    n = int(benchlib.sql("SELECT COUNT(*) FROM pos_sales_baseline"))
    assert n == LINES, n
    benchlib.sql("DROP TABLE pos_sales_baseline")
    return s


def import_once(csv, slug, env=None):
    e = dict(os.environ, PROOFLINE_CONF=f"{benchlib.VAR}/proofline.conf")
    e.update(env or {})
    t0 = time.monotonic()
    out = subprocess.run([str(benchlib.ROOT / "build" / "proofline"), "pos",
                          "import", "--tenant", slug, csv], env=e,
                         capture_output=True, text=True)
    s = time.monotonic() - t0
    if out.returncode != 0 or f"added {LINES}," not in out.stdout:
        sys.exit(f"bench_pos: import failed:\n{out.stdout}\n{out.stderr}")
    return s


def main():
    keep = os.environ.get("BENCH_POS_DIR")  # keeps the files between runs
    d = keep or tempfile.mkdtemp(prefix="bench-pos-")
    csv, tsv = f"{d}/sales.csv", f"{d}/sales.tsv"
    t0 = time.monotonic()
    if not (keep and os.path.exists(tsv) and os.path.exists(csv)):
        generate(csv, tsv, 999999)
    mb = os.path.getsize(csv) / 1e6
    print(f"bench: POS import of {LINES} lines ({mb:.0f} MB, {STORES} stores)"
          f", generated in {time.monotonic() - t0:.0f} s; median of {RUNS}")
    base, ours, bulk = [], [], []
    stamp = int(time.time()) % 100000
    for r in range(RUNS):
        base.append(load_data(tsv))
        company(f"posbench{stamp}-{r}")
        ours.append(import_once(csv, f"posbench{stamp}-{r}"))
        if os.environ.get("BENCH_POS_BULK") == "1":
            company(f"posbulk{stamp}-{r}")
            bulk.append(import_once(csv, f"posbulk{stamp}-{r}",
                                    {"PROOFLINE_POS_STORE": "bulk"}))
    b, o = statistics.median(base), statistics.median(ours)
    print(f"  {'LOAD DATA (mariadb client)':34s} {b:6.2f} s "
          f"{LINES / b:10.0f} rows/s   "
          f"({', '.join(f'{x:.2f}' for x in base)})")
    print(f"  {'proofline pos import':34s} {o:6.2f} s "
          f"{LINES / o:10.0f} rows/s   "
          f"({', '.join(f'{x:.2f}' for x in ours)})")
    if bulk:
        k = statistics.median(bulk)
        print(f"  {'import with array-bound INSERTs':34s} {k:6.2f} s "
              f"{LINES / k:10.0f} rows/s   "
              f"({', '.join(f'{x:.2f}' for x in bulk)})")
    print(f"  import / LOAD DATA rows/s: {b / o:.2f}x "
          f"(target >= 1.00x and <= 6 s)")
    if not keep:
        for f in (csv, tsv):
            os.unlink(f)
        os.rmdir(d)


if __name__ == "__main__":
    main()
