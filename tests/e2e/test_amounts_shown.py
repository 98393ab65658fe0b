"""Amounts are written for people wherever they are shown (issue 11, item
6): grouped thousands and the currency on the customer page, in the list
and on the board's cards, and each board column sums its customers."""
import re
import uuid

from test_customers import Api


def test_amounts_are_grouped_with_the_currency(stack, world):
    api = Api(stack, world, "rep1")
    rep = world.client("acme", "rep1")
    tag = uuid.uuid4().hex[:8]
    cid = api.customer(f"金额 {tag}", amount="1234567.5")["id"]
    page = rep.get(f"/customers/{cid}").text
    assert '<dd class="amount">\u00a51,234,567.50</dd>' in page
    listing = rep.get(f"/customers?q={tag}").text
    assert re.search(r'<td class="num amount"[^>]*>\u00a51,234,567.50</td>',
                     listing)
    board = rep.get(f"/pipeline?q={tag}").text
    assert '<span class="amount">\u00a51,234,567.50</span>' in board
    # The lead column sums exactly this customer (the filter keeps it
    # alone), formatted the same way.
    col = re.search(r'data-stage="lead".*?<small class="col-amount">'
                    r'([^<]+)</small>', board, re.S)
    assert col and col.group(1) == "\u00a51,234,567.50"


def test_the_amount_column_sorts_from_its_header(stack, world):
    """The list's amount header is a link: largest first, then a click
    turns the order; the header says which (aria-sort); the filters
    stay."""
    api = Api(stack, world, "rep1")
    rep = world.client("acme", "rep1")
    tag = uuid.uuid4().hex[:8]
    for amount in ("500", "70000", "3000"):
        api.customer(f"排序 {tag} {amount}", amount=amount)

    def header(page):
        m = re.search(r'<th class="num" aria-sort="(\w+)"><a class="sort" '
                      r'href="([^"]+)">', page)
        assert m, page[:3000]
        return m.group(1), m.group(2).replace("&amp;", "&")

    def amounts(page):
        return [int(a.replace(",", "")) for a in re.findall(
            r'<td class="num amount"[^>]*>\u00a5([\d,]+)\.00</td>', page)]

    aria, url = header(rep.get(f"/customers?q={tag}").text)
    assert aria == "none" and "sort=amount&dir=desc" in url
    assert f"q={tag}" in url
    page = rep.get(url).text
    assert amounts(page) == [70000, 3000, 500]
    aria, url = header(page)
    assert aria == "descending" and "dir=asc" in url
    page = rep.get(url).text
    assert amounts(page) == [500, 3000, 70000]
    assert header(page)[0] == "ascending"
