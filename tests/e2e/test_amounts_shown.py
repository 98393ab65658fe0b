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
    assert '<td class="num amount">\u00a51,234,567.50</td>' in listing
    board = rep.get(f"/pipeline?q={tag}").text
    assert '<span class="amount">\u00a51,234,567.50</span>' in board
    # The lead column sums exactly this customer (the filter keeps it
    # alone), formatted the same way.
    col = re.search(r'data-stage="lead".*?<small class="col-amount">'
                    r'([^<]+)</small>', board, re.S)
    assert col and col.group(1) == "\u00a51,234,567.50"
