/* sender.c: see sender.h. One pass drains the due records of an Outbox through central_call
 * (synchronous, on the caller's thread, which owns the Outbox and must not be the client's
 * worker). What to do with each answer is decided in one place, verdict(). Payloads and
 * idempotency keys are never logged; records are named by their local id. */
#include "sender.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "order.h"

#define MOD "sender"

_Static_assert(OUTBOX_IDEM_KEY_MAX == CENTRAL_IDEM_KEY_MAX, "an outbox key is a request key");

typedef enum Verdict {
    V_SENT,  /* accepted: mark sent, report */
    V_DEAD,  /* refused for good: dead-letter with the code, report */
    V_RETRY, /* worth another try later: count it, back off, stop the pass */
    V_STOP,  /* the client is going away: leave the record as it is, stop the pass */
} Verdict;

/* 4xx answers that are about the device or the path to the service, not about the order:
 * another try may well succeed (401/403: the device's certificate or enrollment; 404: a
 * wrong base URL or proxy; 408: the request timed out; 429: slow down). Any other 4xx
 * refuses this order for good: 400 (shape, missing key: a bug), 409 out_of_stock,
 * offer_redeemed, offer_expired, and idempotency_key_reused (the same key with another body:
 * a bug that no retry can fix), 422 unknown_*. */
static bool status_worth_retrying(long status)
{
    return status == 401 || status == 403 || status == 404 || status == 408 || status == 429;
}

static Verdict verdict(const CentralReply *r)
{
    switch (r->result) {
    case CENTRAL_OK:
        return V_SENT;
    case CENTRAL_REFUSED:
        return status_worth_retrying(r->http_status) ? V_RETRY : V_DEAD;
    case CENTRAL_OFFLINE:
    case CENTRAL_TIMEOUT:
    case CENTRAL_TLS:
    case CENTRAL_SERVER:
    case CENTRAL_BAD_RESPONSE: /* the service may have taken it: the retry replays the key */
        return V_RETRY;
    case CENTRAL_CANCELLED:
        return V_STOP;
    }
    return V_RETRY;
}

static void report(SenderResultFn on_result, void *ctx, Result *r)
{
    if (on_result)
        on_result(r, ctx);
    else
        result_free(r);
}

static void report_sent(SenderResultFn on_result, void *ctx, const char *key, const CentralOrder *o)
{
    Result *r = result_new(RESULT_ORDER_SENT, 0);
    if (!r) {
        log_error(MOD, "no memory to report a sent order");
        return;
    }
    OrderView *v = &r->u.order;
    snprintf(v->idempotency_key, sizeof v->idempotency_key, "%s", key);
    snprintf(v->id, sizeof v->id, "%s", o->id);
    snprintf(v->number, sizeof v->number, "%s", o->number);
    snprintf(v->tracking_url, sizeof v->tracking_url, "%s", o->tracking_url);
    v->total_cents = o->total_cents;
    snprintf(v->currency, sizeof v->currency, "%s", o->currency);
    if (o->has_delivery) {
        v->delivery_earliest = view_parse_time(o->delivery_earliest);
        v->delivery_latest = view_parse_time(o->delivery_latest);
    }
    report(on_result, ctx, r);
}

static void report_refused(SenderResultFn on_result, void *ctx, const char *key, const char *code)
{
    Result *r = result_new(RESULT_ORDER_REFUSED, 0);
    if (!r) {
        log_error(MOD, "no memory to report a refused order");
        return;
    }
    snprintf(r->u.order.idempotency_key, sizeof r->u.order.idempotency_key, "%s", key);
    snprintf(r->refusal, sizeof r->refusal, "%s", code);
    report(on_result, ctx, r);
}

/* The code a refused record is dead-lettered (and reported) with. */
static void refusal_code(const CentralReply *r, char *code, size_t size)
{
    if (r->error_code[0])
        snprintf(code, size, "%s", r->error_code);
    else
        snprintf(code, size, "http_%ld", r->http_status);
}

/* What went wrong, for the record's last_error (never shown to a shopper). */
static void retry_reason(const CentralReply *r, char *why, size_t size)
{
    snprintf(why, size, "%s http %ld%s%s", central_result_name(r->result), r->http_status,
             r->error_code[0] ? " " : "", r->error_code);
}

/* When the oldest pending record is next due, 0 if none is pending; records that do not
 * decrypt are met (and dead-lettered) here too, and reported. */
static KioskErr oldest_due_at(Outbox *ob, SenderResultFn on_result, void *ctx, SenderStats *st,
                              int64_t *at)
{
    OutboxItem it;
    KioskErr err;
    *at = 0;
    for (;;) {
        err = outbox_next_due(ob, INT64_MAX, &it);
        if (err != KIOSK_E_INVALID)
            break;
        st->unreadable++;
        report_refused(on_result, ctx, it.idempotency_key, OUTBOX_REASON_UNREADABLE);
        outbox_item_clear(&it);
    }
    if (err == KIOSK_OK)
        *at = it.next_attempt_at;
    outbox_item_clear(&it);
    return err == KIOSK_E_EMPTY ? KIOSK_OK : err;
}

KioskErr sender_pass(Outbox *ob, CentralClient *c, int64_t now_s, SenderResultFn on_result,
                     void *ctx, SenderStats *stats)
{
    SenderStats local;
    SenderStats *st = stats ? stats : &local;
    CentralRequest *req = NULL;
    CentralReply *rep = NULL;
    OutboxItem it = {0};
    KioskErr err = KIOSK_E_INVALID;
    int64_t retried_at = 0; /* the next attempt of the record this pass retried */
    char code[CENTRAL_CODE_MAX + 1], why[OUTBOX_REASON_MAX + 1];

    memset(st, 0, sizeof *st);
    if (!ob || !c)
        goto out;
    err = KIOSK_E_NOMEM;
    req = calloc(1, sizeof *req);
    rep = malloc(sizeof *rep); /* a reply is large (a catalog page fits in it) */
    if (!req || !rep)
        goto out;

    for (;;) {
        err = outbox_next_due(ob, now_s, &it);
        if (err == KIOSK_E_EMPTY)
            break;
        if (err == KIOSK_E_INVALID) { /* already dead-lettered "unreadable" by the outbox */
            st->unreadable++;
            report_refused(on_result, ctx, it.idempotency_key, OUTBOX_REASON_UNREADABLE);
            outbox_item_clear(&it);
            continue;
        }
        if (err != KIOSK_OK)
            goto out;

        memset(req, 0, sizeof *req);
        req->kind = CENTRAL_ORDER_PLACE;
        KioskErr cerr = order_decode(it.payload, &req->u.order);
        if (cerr == KIOSK_OK) {
            memcpy(req->u.order.idempotency_key, it.idempotency_key,
                   sizeof req->u.order.idempotency_key);
            cerr = central_call(c, req, rep);
        }
        memset(&req->u.order, 0, sizeof req->u.order); /* member and address ids */
        Verdict v;
        if (cerr == KIOSK_E_INVALID) {
            /* Decrypted, but not an order this firmware can send: no retry will change it. */
            log_error(MOD, "record %lld is not a valid order: dead-lettered", (long long)it.id);
            snprintf(code, sizeof code, "%s", SENDER_REASON_INVALID);
            v = V_DEAD;
        } else if (cerr == KIOSK_E_STATE) {
            v = V_STOP; /* the client is shutting down */
        } else if (cerr != KIOSK_OK) {
            /* The client's queue is full or memory ran out: not the order's fault, but back
             * off all the same, or the caller would spin on a record that is still due. */
            snprintf(why, sizeof why, "client %s", kerr_name(cerr));
            v = V_RETRY;
        } else {
            v = verdict(rep);
            if (v == V_DEAD)
                refusal_code(rep, code, sizeof code);
            else if (v == V_RETRY)
                retry_reason(rep, why, sizeof why);
        }

        switch (v) {
        case V_SENT:
            log_info(MOD, "record %lld placed as %s%s", (long long)it.id, rep->payload.order.id,
                     rep->payload.order.replayed ? " (replayed)" : "");
            st->sent++;
            report_sent(on_result, ctx, it.idempotency_key, &rep->payload.order);
            err = outbox_mark_sent(ob, it.id, rep->payload.order.id);
            /* If that failed, the record stays pending: the next pass sends it again under
             * the same key, the service replays the same order, and it is marked then. */
            break;
        case V_DEAD:
            log_warn(MOD, "record %lld refused: %s", (long long)it.id, code);
            if (cerr == KIOSK_OK)
                st->refused++;
            else
                st->unreadable++;
            err = outbox_mark_dead(ob, it.id, code);
            report_refused(on_result, ctx, it.idempotency_key, code);
            break;
        case V_RETRY:
            log_info(MOD, "record %lld not sent: %s", (long long)it.id, why);
            st->retried++;
            st->offline =
                cerr == KIOSK_OK && (rep->result == CENTRAL_OFFLINE ||
                                     rep->result == CENTRAL_TIMEOUT || rep->result == CENTRAL_TLS);
            err = outbox_mark_retry(ob, it.id, now_s, why);
            if (err == KIOSK_OK) {
                OutboxItem again;
                if (outbox_get(ob, it.id, &again) == KIOSK_OK)
                    retried_at = again.next_attempt_at;
                outbox_item_clear(&again);
            }
            break;
        case V_STOP:
            log_info(MOD, "record %lld left pending: the client is stopping", (long long)it.id);
            err = KIOSK_OK;
            break;
        }
        outbox_item_clear(&it);
        if (cerr == KIOSK_OK)
            central_reply_clear(rep);
        if (err != KIOSK_OK || v == V_RETRY || v == V_STOP)
            break; /* the next order would fare no better */
    }
    if (err == KIOSK_E_EMPTY)
        err = KIOSK_OK;
    if (err != KIOSK_OK)
        goto out;

    int64_t at = 0;
    err = oldest_due_at(ob, on_result, ctx, st, &at);
    if (err != KIOSK_OK)
        goto out;
    st->next_due_s = at;
    if (retried_at && (!at || retried_at < at))
        st->next_due_s = retried_at;
    int64_t depth = outbox_depth(ob);
    st->depth = depth > 0 ? (unsigned)depth : 0;
out:
    outbox_item_clear(&it);
    free(rep);
    free(req);
    return err;
}
