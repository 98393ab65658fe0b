#!/usr/bin/env python3
"""bench_admission.py -- the customer page of a dealer with 10
qualification documents, 3 contracts and 100 payments (issue 15's
benchmark: at most 15 ms of server time).

Run by scripts/bench.sh on its stack (VAR, PORT in the environment).
Makes its own company through the API (the same write paths as the
pages), then times sequential requests of the customer page and of
/healthz interleaved (median of BENCH_REPEAT, default 41), and prints the
medians and the page's time over the bare FastCGI answer: the difference
is the page's own server time (routing, auth, queries, rules, template).
"""
import datetime as dt
import os
import statistics
import sys
import time
import uuid

import requests

from benchlib import BASE, ROOT, Stack, cli  # noqa: E402
sys.path.insert(0, str(ROOT / "tests" / "lib"))
from identity import Account, Client  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "41"))
PASSWORD = "Bench-Admission-2026"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d494844520000000100000001080200000090"
    "7753de0000000c49444154789c63f8cfc0000003010100c9fe92ef000000"
    "0049454e44ae426082")
NAME = "基准医疗器械有限公司"


def company():
    slug = "ba" + uuid.uuid4().hex[:6]
    cli("tenant", "create", slug, "Bench admission")
    for login, role in (("rep", "rep"), ("legal1", "legal"), ("fin", "finance")):
        cli("user", "add", "--tenant", slug, "--login", login, "--role", role,
            "--password-stdin", stdin=PASSWORD + "\n")
    tokens = {u: cli("token", "create", "--tenant", slug, "--user",
                     u).strip() for u in ("rep", "legal1")}

    def api(who, method, path, **kw):
        r = requests.request(method, BASE + path, headers={
            "Authorization": f"Bearer {tokens[who]}"}, timeout=60, **kw)
        if r.status_code >= 400:
            raise SystemExit(f"bench: {method} {path}: {r.status_code} "
                             f"{r.text[:300]}")
        return r
    return slug, api


def fill(api):
    cid = api("rep", "POST", "/api/v1/customers", json={
        "name": NAME, "kind": "dealer", "confirm_duplicate": True}).json()["id"]
    docs = [("business_licence", {"number": "91350100M000100Y43"}),
            ("device_licence", {"number": "MIN-1", "expires_on": "2031-01-01"}),
            ("legal_rep_id", {"number": "11010519491231002X", "holder": "张三",
                              "expires_on": "2036-01-01"})]
    for i in range(10):  # 10 documents, the last three current
        typ, fields = docs[i % 3]
        body = dict({"type": typ, "holder": NAME}, **fields)
        doc = api("rep", "POST", f"/api/v1/customers/{cid}/qualifications",
                  data=body, files={"file": ("s.png", PNG, "image/png")}
                  ).json()["id"]
        if i >= 7:
            api("legal1", "POST", f"/api/v1/qualifications/{doc}/review",
                json={"decision": "approve"})
    for key, title, text in (
            ("pay", "付款", "账期 {payment_term_days} 天，预付 {prepay_pct}%。"),
            ("amount", "金额", "金额 {amount} 元（{amount_words}）。")):
        api("legal1", "POST", "/api/v1/clauses",
            json={"key": key, "title": title, "body": text})
    tpl = api("legal1", "POST", "/api/v1/contract-templates", json={
        "key": "sale", "name": "设备销售合同", "clauses": ["amount", "pay"],
        "options": {"payment_term_days": [30], "prepay_pct": [0, 30],
                    "delivery_days": [15], "warranty_months": [12],
                    "penalty_pct": [0.5]}}).json()["id"]
    today = dt.date.today()
    for i in range(100):
        due = today - dt.timedelta(days=3 * i + 1)
        paid = "" if i % 10 == 0 else (due + dt.timedelta(days=i % 4)
                                       ).isoformat()
        api("rep", "POST", f"/api/v1/customers/{cid}/payments", json={
            "invoice_no": f"B-{cid}-{i}", "amount": f"{1000 + i}.50",
            "due_on": due.isoformat(), "paid_on": paid})
    for _ in range(3):
        api("rep", "POST", f"/api/v1/customers/{cid}/contracts", json={
            "template": tpl, "amount": "120000", "payment_term_days": 30,
            "prepay_pct": 30, "delivery_days": 15, "warranty_months": 12,
            "penalty_pct": 0.5})
    return cid


def main():
    slug, api = company()
    t0 = time.time()
    cid = fill(api)
    print(f"bench: a dealer with 10 documents, 3 contracts and 100 payments "
          f"made through the API in {time.time() - t0:.1f} s")
    rep = Client(Stack(), Account(slug, "rep", PASSWORD))
    rep.sign_in()
    health = requests.Session()
    page = f"/customers/{cid}"
    if rep.get(page).status_code != 200:
        raise SystemExit("bench: the customer page did not answer 200")
    times = {"healthz": [], "page": []}
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        health.get(BASE + "/healthz")
        times["healthz"].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        r = rep.get(page)
        times["page"].append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"bench: customer page: HTTP {r.status_code}")
    h = statistics.median(times["healthz"])
    p = statistics.median(times["page"])
    print(f"bench: customer page of that dealer, median of {REPEAT} "
          "sequential requests through nginx")
    print(f"  {'/healthz (bare FastCGI)':34s} {h:8.2f} ms")
    print(f"  {'/customers/{id} (rep)':34s} {p:8.2f} ms  {p / h:6.1f}x")
    print(f"  {'page minus bare (server time)':34s} {p - h:8.2f} ms  "
          f"(target <= 15 ms: {'met' if p - h <= 15 else 'missed'})")


if __name__ == "__main__":
    main()
