/*
 * customer_page.c -- the reads of a customer's page in one round trip.
 *
 * Every database exchange costs the page more than the work of a small
 * read (the issue 14 target: a signed-in customer page at half the
 * throughput of a bare FastCGI answer), so the reads that need nothing
 * but the customer's id go together: a UNION ALL of the services' own
 * statements, their columns side by side (db_prefetch).
 */
#include "sales/customer_page.h"

#include "db/db.h"
#include "sales/contacts.h"
#include "sales/contracts.h"
#include "sales/payments.h"
#include "sales/qual_docs.h"

/* NULLs in the columns of the other parts (", NULL" times n). */
#define N1 ", NULL"
#define N2 N1 N1
#define N4 N2 N2
#define N8 N4 N4
#define N16 N8 N8
#define N32 N16 N16

/* The parts in order, with their widths: documents 18 (columns 2-19),
 * contracts 7 (20-26), contacts 17 (27-43), payments 12 (44-55); column 1
 * is the part.  Each part's rows come in its own statement's order:
 * documents by id; contracts by id, newest first; contacts by role, name
 * and id; payments by due date then id, newest first.  The branches are the
 * services' statements themselves (no derived table around them: each
 * would be one more temporary table), and none has a TEXT column, so
 * the union's temporary table stays in memory.  The timeline is not
 * here: its own union has TEXT columns and would take this statement's
 * temporary table to disk, which costs more than its round trip. */
static const char SQL_PAGE[] =
    "(SELECT 0, " QUAL_DOCS_SQL_SELECT N32 N4 " " QUAL_DOCS_SQL_REST ") "
    "UNION ALL (SELECT 1" N16 N2 ", " CONTRACTS_SQL_OF_SELECT N16 N8 N4 N1
    " " CONTRACTS_SQL_OF_REST ") "
    "UNION ALL (SELECT 2" N16 N8 N1 ", " CONTACTS_SQL_COLS N8 N4
    " " CONTACTS_SQL_LIST_REST ") "
    "UNION ALL (SELECT 3" N32 N8 N2 ", " PAYMENTS_SQL_SUMMARY_SELECT
    " " PAYMENTS_SQL_SUMMARY_REST ") "
    "ORDER BY 1, 2, 20 DESC, 33, 30, 27, 47 DESC, 44 DESC";

#if QUAL_DOCS_SQL_NCOLS != 18 || CONTRACTS_SQL_OF_NCOLS != 7 ||                \
    CONTACTS_SQL_NCOLS != 17 || PAYMENTS_SQL_SUMMARY_NCOLS != 12
#error "a part's width changed: update SQL_PAGE's NULLs and ORDER BY"
#endif

enum app_err
customer_page_prefetch(struct ctx *cx, int64_t customer_id,
                       const struct customer_page_reads *q)
{
    struct db_part parts[4];

    if (payments_summary_part(cx, customer_id, q->today, q->pay_days,
                              q->pay_rows, &parts[3]) != APP_OK)
        return APP_OK;
    qual_docs_current_part(cx, customer_id, &parts[0]);
    contracts_of_part(cx, customer_id, &parts[1]);
    contacts_list_part(cx, customer_id, q->contacts_max, &parts[2]);
    return db_prefetch(cx->db, cx->a, SQL_PAGE, parts, 4);
}
