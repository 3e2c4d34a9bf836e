/* fuzz_central_decode.c: libFuzzer target for the central reply decoders
 * (firmware/central_decode.c). The first byte picks the reply kind (so one corpus covers
 * every decoder), the rest is the body; every input also goes through the error-body decoder.
 * Whatever decodes must hold only NUL-terminated strings within their limits. Seeds in
 * corpus/central_decode/ start with the kind byte ('0' + CentralKind). */
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
    CentralKind kind = (CentralKind)((data[0] - '0') % CENTRAL_KIND_COUNT);
    const char *body = (const char *)data + 1;
    size_t len = size - 1;

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
        default:
            break;
        }
    }
    if (central_decode_error(body, len, code) == KIOSK_OK && code[0] == '\0')
        abort();
    return 0;
}
