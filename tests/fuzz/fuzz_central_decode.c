/* fuzz_central_decode.c: libFuzzer target for the central reply decoders
 * (firmware/central_decode.c). The first byte picks the reply kind (so one corpus covers
 * every decoder), the rest is the body; every input also goes through the error-body decoder.
 * CENTRAL_IMAGE bodies are not JSON: they go through the blob check (as image/png) instead.
 * Whatever decodes must hold only NUL-terminated strings within their limits. Seeds in
 * corpus/central_decode/ start with the kind byte ('0' + CentralKind: '=' shipping,
 * '>' stock_delta, '?' handoff, '@' product, 'A' image). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "central_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzzer's scratch payload, allocated once: CentralPayload is too large for the stack. */
static CentralPayload *payload;

static void check_str(const char *s, size_t cap)
{
    if (!memchr(s, '\0', cap))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char code[CENTRAL_CODE_MAX + 1];
    if (size < 1)
        return 0;
    if (!payload) {
        payload = malloc(sizeof *payload);
        if (!payload)
            abort();
    }
    /* unsigned arithmetic: a first byte below '0' must still pick a valid kind */
    CentralKind kind = (CentralKind)((unsigned)(uint8_t)(data[0] - '0') % CENTRAL_KIND_COUNT);
    const char *body = (const char *)data + 1;
    size_t len = size - 1;

    if (kind == CENTRAL_IMAGE) {
        CentralBlob blob;
        if (central_decode_blob("image/png", data + 1, len, &blob) == KIOSK_OK &&
            (blob.data != data + 1 || blob.len != len || blob.len > CENTRAL_IMAGE_MAX))
            abort();
        if (central_decode(kind, body, len, payload) == KIOSK_OK)
            abort(); /* never JSON */
    }

    if (central_decode(kind, body, len, payload) == KIOSK_OK) {
        switch (kind) {
        case CENTRAL_IDENTIFY:
        case CENTRAL_MEMBER:
            check_str(payload->member.display_name, sizeof payload->member.display_name);
            if (!central_is_id(payload->member.id) ||
                payload->member.address_count > CENTRAL_ADDRESSES_MAX)
                abort();
            for (size_t i = 0; i < payload->member.address_count; i++)
                check_str(payload->member.addresses[i].masked,
                          sizeof payload->member.addresses[i].masked);
            break;
        case CENTRAL_STORES:
            if (payload->stores.count > CENTRAL_STORES_MAX)
                abort();
            break;
        case CENTRAL_STOCK:
            if (payload->stock.location_count > CENTRAL_LOCATIONS_MAX)
                abort();
            for (size_t i = 0; i < payload->stock.location_count; i++) {
                if (payload->stock.locations[i].variant_count > CENTRAL_STOCK_VARIANTS_MAX)
                    abort();
            }
            break;
        case CENTRAL_ORDER_PLACE:
        case CENTRAL_ORDER_STATUS:
            if (payload->order.item_count > CENTRAL_ORDER_ITEMS_MAX)
                abort();
            check_str(payload->order.tracking_url, sizeof payload->order.tracking_url);
            break;
        case CENTRAL_RECOMMENDATIONS:
            if (payload->recs.count > CENTRAL_RECS_MAX)
                abort();
            break;
        case CENTRAL_OFFERS:
            if (payload->offers.count > CENTRAL_OFFERS_MAX)
                abort();
            break;
        case CENTRAL_CATALOG:
            if (payload->catalog.count > CENTRAL_CATALOG_PAGE_MAX ||
                strchr(payload->catalog.next_cursor, ' '))
                abort();
            for (size_t i = 0; i < payload->catalog.count; i++) {
                if (payload->catalog.products[i].variant_count > CENTRAL_PRODUCT_VARIANTS_MAX)
                    abort();
                check_str(payload->catalog.products[i].description,
                          sizeof payload->catalog.products[i].description);
            }
            break;
        case CENTRAL_SHIPPING:
            if (payload->shipping.count > CENTRAL_SHIPPING_MAX ||
                !central_is_id(payload->shipping.store) || payload->shipping.free_from_cents < -1)
                abort();
            for (size_t i = 0; i < payload->shipping.count; i++) {
                if (!central_is_id(payload->shipping.options[i].id) ||
                    payload->shipping.options[i].price_cents < 0)
                    abort();
                check_str(payload->shipping.options[i].name,
                          sizeof payload->shipping.options[i].name);
            }
            break;
        case CENTRAL_STOCK_DELTA:
            if (payload->stock_delta.count > CENTRAL_STOCK_DELTA_MAX ||
                !payload->stock_delta.next_cursor[0] ||
                strchr(payload->stock_delta.next_cursor, ' '))
                abort();
            for (size_t i = 0; i < payload->stock_delta.count; i++) {
                if (!central_is_id(payload->stock_delta.rows[i].variant) ||
                    !central_is_id(payload->stock_delta.rows[i].store) ||
                    payload->stock_delta.rows[i].qty < 0)
                    abort();
            }
            break;
        case CENTRAL_HANDOFF:
            if (!central_is_id(payload->handoff.code) || !payload->handoff.url[0])
                abort();
            check_str(payload->handoff.url, sizeof payload->handoff.url);
            break;
        case CENTRAL_PRODUCT:
            if (!central_is_id(payload->product.id) ||
                payload->product.variant_count > CENTRAL_PRODUCT_VARIANTS_MAX ||
                payload->product.related_count > CENTRAL_RELATED_MAX ||
                payload->product.popularity < 0)
                abort();
            for (size_t i = 0; i < payload->product.related_count; i++) {
                if (!central_is_id(payload->product.related[i].id) ||
                    !(payload->product.related[i].score >= 0))
                    abort();
            }
            break;
        default:
            break;
        }
    }
    if (central_decode_error(body, len, code) == KIOSK_OK && code[0] == '\0')
        abort();
    return 0;
}
