/*
 * handlers.h -- every route handler, grouped by the file that holds it.
 * routes.c maps them to methods and paths; nothing else calls them.
 */
#ifndef PROOFLINE_HANDLERS_H
#define PROOFLINE_HANDLERS_H

#include "base/err.h"
#include "http/http.h"

/* pages.c -- home page, language switch */
APP_MUST_USE enum app_err pages_home(struct req *r);
APP_MUST_USE enum app_err pages_set_lang(struct req *r);

/* login.c -- signing in and out */
APP_MUST_USE enum app_err login_form(struct req *r);
APP_MUST_USE enum app_err login_submit(struct req *r);
APP_MUST_USE enum app_err logout_submit(struct req *r);

/* mfa.c -- the second factor */
APP_MUST_USE enum app_err mfa_verify_form(struct req *r);
APP_MUST_USE enum app_err mfa_verify_submit(struct req *r);
APP_MUST_USE enum app_err mfa_setup(struct req *r);
APP_MUST_USE enum app_err mfa_start(struct req *r);
APP_MUST_USE enum app_err mfa_enable(struct req *r);
APP_MUST_USE enum app_err mfa_regenerate(struct req *r);
APP_MUST_USE enum app_err mfa_disable(struct req *r);

/* account.c -- the user's own page */
APP_MUST_USE enum app_err account_show(struct req *r);
APP_MUST_USE enum app_err account_password(struct req *r);
APP_MUST_USE enum app_err account_session_revoke(struct req *r);
APP_MUST_USE enum app_err account_sessions_revoke_others(struct req *r);
APP_MUST_USE enum app_err account_token_create(struct req *r);
APP_MUST_USE enum app_err account_token_revoke(struct req *r);
/* The page that shows a secret once (API token, temporary password). */
APP_MUST_USE enum app_err account_secret_page(struct req *r,
                                              const char *title_key,
                                              const char *secret,
                                              const char *back);

/* admin.c -- user administration */
APP_MUST_USE enum app_err admin_users(struct req *r);
APP_MUST_USE enum app_err admin_user_new(struct req *r);
APP_MUST_USE enum app_err admin_user_create(struct req *r);
APP_MUST_USE enum app_err admin_user_show(struct req *r);
APP_MUST_USE enum app_err admin_user_update(struct req *r);
APP_MUST_USE enum app_err admin_user_deactivate(struct req *r);
APP_MUST_USE enum app_err admin_user_activate(struct req *r);
APP_MUST_USE enum app_err admin_user_password(struct req *r);
APP_MUST_USE enum app_err admin_user_mfa_reset(struct req *r);

/* admin_tokens.c, admin_audit.c, team.c */
APP_MUST_USE enum app_err admin_tokens(struct req *r);
APP_MUST_USE enum app_err admin_token_create(struct req *r);
APP_MUST_USE enum app_err admin_token_revoke(struct req *r);
APP_MUST_USE enum app_err admin_audit(struct req *r);
APP_MUST_USE enum app_err team_show(struct req *r);

/* api_users.c -- JSON API */
APP_MUST_USE enum app_err api_me(struct req *r);
APP_MUST_USE enum app_err api_users(struct req *r);
APP_MUST_USE enum app_err api_user(struct req *r);

/* rules_admin.c -- the rule editor */
APP_MUST_USE enum app_err rules_admin_list(struct req *r);
APP_MUST_USE enum app_err rules_admin_edit(struct req *r);
APP_MUST_USE enum app_err rules_admin_save(struct req *r);
APP_MUST_USE enum app_err rules_admin_publish(struct req *r);
APP_MUST_USE enum app_err rules_admin_discard(struct req *r);
APP_MUST_USE enum app_err rules_admin_history(struct req *r);
APP_MUST_USE enum app_err rules_admin_version(struct req *r);
APP_MUST_USE enum app_err rules_admin_rollback(struct req *r);
APP_MUST_USE enum app_err rules_admin_dry_run(struct req *r);

/* api_rules.c -- the rules over the JSON API */
APP_MUST_USE enum app_err api_rules(struct req *r);
APP_MUST_USE enum app_err api_rules_transition(struct req *r);

/* health.c -- liveness and readiness for load balancers */
APP_MUST_USE enum app_err health_live(struct req *r);
APP_MUST_USE enum app_err health_ready(struct req *r);

/* debug.c -- routes for the test suite, only with debug_routes = 1 */
APP_MUST_USE enum app_err debug_sleep(struct req *r);
APP_MUST_USE enum app_err debug_crash(struct req *r);
APP_MUST_USE enum app_err debug_echo(struct req *r);
APP_MUST_USE enum app_err debug_error(struct req *r);
APP_MUST_USE enum app_err debug_state(struct req *r);
APP_MUST_USE enum app_err debug_db(struct req *r);

/* customer_pages.c -- customers: list, create, edit, page, stage, bulk */
APP_MUST_USE enum app_err customers_index(struct req *r);
APP_MUST_USE enum app_err customers_new(struct req *r);
APP_MUST_USE enum app_err customers_create_page(struct req *r);
APP_MUST_USE enum app_err customer_show(struct req *r);
APP_MUST_USE enum app_err customer_edit(struct req *r);
APP_MUST_USE enum app_err customer_update(struct req *r);
APP_MUST_USE enum app_err customer_stage(struct req *r);
APP_MUST_USE enum app_err customer_transfer(struct req *r);
APP_MUST_USE enum app_err customers_bulk(struct req *r);

/* evidence_pages.c -- supplying and removing evidence */
APP_MUST_USE enum app_err evidence_form(struct req *r);
APP_MUST_USE enum app_err evidence_submit(struct req *r);
APP_MUST_USE enum app_err evidence_remove_page(struct req *r);

/* contact_pages.c -- the decision chain */
APP_MUST_USE enum app_err contact_new(struct req *r);
APP_MUST_USE enum app_err contact_create(struct req *r);
APP_MUST_USE enum app_err contact_show(struct req *r);
APP_MUST_USE enum app_err contact_update(struct req *r);
APP_MUST_USE enum app_err contact_event(struct req *r);
APP_MUST_USE enum app_err contact_remove(struct req *r);

/* pipeline.c -- the pipeline board */
APP_MUST_USE enum app_err pipeline_board(struct req *r);
APP_MUST_USE enum app_err pipeline_move(struct req *r);

/* files.c -- access-checked downloads */
APP_MUST_USE enum app_err files_download(struct req *r);

/* imports.c -- CSV import and export of customers */
APP_MUST_USE enum app_err imports_form(struct req *r);
APP_MUST_USE enum app_err imports_upload(struct req *r);
APP_MUST_USE enum app_err imports_show(struct req *r);
APP_MUST_USE enum app_err imports_mapping(struct req *r);
APP_MUST_USE enum app_err imports_commit(struct req *r);
APP_MUST_USE enum app_err imports_errors(struct req *r);
APP_MUST_USE enum app_err customers_export(struct req *r);

/* customer_api.c -- the customers JSON API */
APP_MUST_USE enum app_err api_customers(struct req *r);
APP_MUST_USE enum app_err api_customer(struct req *r);
APP_MUST_USE enum app_err api_customer_create(struct req *r);
APP_MUST_USE enum app_err api_customer_update(struct req *r);
APP_MUST_USE enum app_err api_customer_stage(struct req *r);
APP_MUST_USE enum app_err api_customer_contacts(struct req *r);
APP_MUST_USE enum app_err api_contact_create(struct req *r);
APP_MUST_USE enum app_err api_customer_evidence(struct req *r);
APP_MUST_USE enum app_err api_customer_evidence_list(struct req *r);
APP_MUST_USE enum app_err api_contact(struct req *r);
APP_MUST_USE enum app_err api_contact_update(struct req *r);
APP_MUST_USE enum app_err api_customer_history(struct req *r);

#endif
