"""A document is complete or not used: with the N-th cJSON allocation of a
request failing (the test stack's `X-Proofline-Fail: json.alloc=N`), for
every N the request makes, an API answer is the whole document or a 500,
and evidence data is stored whole or not at all -- never with a field
missing (a 500 may come after a whole row was committed:
only its answer failed)."""
import json
import uuid

from test_customers import Api


def failing(n):
    return {"X-Proofline-Fail": f"json.alloc={n}"}


def sweep(ask, check_whole, check_refused, limit=3000):
    """Ask with allocation 1, 2, ... failing until three answers in a row
    had nothing left to fail; every answer is whole or refused."""
    whole = refused = streak = 0
    for n in range(1, limit):
        r = ask(n)
        if r.status_code == 500:
            assert r.json()["error"] == "internal", r.text
            check_refused(n)
            refused += 1
            streak = 0
            continue
        check_whole(n, r)
        whole += 1
        streak += 1
        if streak == 3:
            break
    else:
        raise AssertionError("the request never ran out of allocations")
    assert refused > 0 and whole >= 3
    return refused


def test_an_api_answer_is_whole_or_500(stack, world):
    api = Api(stack, world, "rep1")
    cid = api.customer(city="杭州", note="a note")["id"]
    api.evidence(cid, "need_confirmed", {"need": "n", "who": "w"})
    good = api.get(f"/api/v1/customers/{cid}")
    assert good.status_code == 200, good.text
    doc = good.json()
    assert doc["version"] >= 1 and doc["city"] == "杭州"

    def whole(n, r):
        assert r.status_code == 200, (n, r.text)
        assert r.json() == doc, f"allocation {n} failing: {r.text}"

    sweep(lambda n: api.get(f"/api/v1/customers/{cid}",
                            headers=failing(n)),
          whole, lambda n: None)


def test_evidence_data_is_stored_whole_or_not_at_all(stack, world):
    api = Api(stack, world, "rep1")
    cid = api.customer()["id"]
    tag = uuid.uuid4().hex[:8]

    def stored(n):
        return stack.sql(
            "SELECT data FROM evidence WHERE customer_id = "
            f"{int(cid)} AND data LIKE '%{tag}-{int(n)}-%'")

    def ask(n):
        return api.post(f"/api/v1/customers/{cid}/evidence",
                        headers=failing(n),
                        json={"key": "need_confirmed", "data": {
                            "need": f"{tag}-{n}-need", "who": f"{tag}-{n}-who"}})

    def stored_whole(n):
        rows = stored(n)
        for row in rows:
            assert json.loads(row[0]) == {"need": f"{tag}-{n}-need",
                                          "who": f"{tag}-{n}-who"}, \
                f"allocation {n} failing: stored {row[0]}"
        return len(rows)

    def whole(n, r):
        assert r.status_code == 201, (n, r.text)
        assert stored_whole(n) == 1

    def refused(n):
        # Stored whole before the answer failed, or not stored.
        assert stored_whole(n) <= 1

    sweep(ask, whole, refused)
