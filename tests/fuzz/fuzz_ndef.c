/* fuzz_ndef.c: libFuzzer target for the NDEF parser (firmware/ndef.c). Each input is tried as
 * a Type 2 tag data area (page 4 on) and as a whole tag image (data from byte 16); every URI
 * and MIME record found is rebuilt with the encoder and parsed again, which must give the same
 * URI or payload back. Seeds: corpus/ndef/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ndef.h"

#define FUZZ_IMAGE_DATA_OFFSET 16 /* pages 0-3: UID, lock bytes, capability container */
#define FUZZ_TLV_MAX           (NDEF_PAYLOAD_MAX + 512)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const NdefRecord *r)
{
    static uint8_t tlv[FUZZ_TLV_MAX];
    static NdefMessage again;
    size_t len = 0;

    if (r->kind == NDEF_KIND_URI && r->tnf == NDEF_TNF_WELL_KNOWN) {
        if (ndef_build_uri(r->uri, tlv, sizeof tlv, &len) != KIOSK_OK)
            abort();
        if (ndef_parse_area(tlv, len, &again) != KIOSK_OK || again.count != 1 ||
            again.records[0].kind != NDEF_KIND_URI || strcmp(again.records[0].uri, r->uri) != 0)
            abort();
    } else if (r->kind == NDEF_KIND_MIME) {
        if (ndef_build_mime(r->mime_type, r->payload, r->payload_len, tlv, sizeof tlv, &len) !=
            KIOSK_OK)
            abort();
        if (ndef_parse_area(tlv, len, &again) != KIOSK_OK || again.count != 1 ||
            again.records[0].payload_len != r->payload_len ||
            (r->payload_len && memcmp(again.records[0].payload, r->payload, r->payload_len)) ||
            strcmp(again.records[0].mime_type, r->mime_type) != 0)
            abort();
    }
}

static void parse(const uint8_t *area, size_t len)
{
    static NdefMessage msg; /* ~10 KB: kept off the stack */
    if (ndef_parse_area(area, len, &msg) != KIOSK_OK)
        return;
    if (msg.count < 1 || msg.count > NDEF_MAX_RECORDS)
        abort();
    for (size_t i = 0; i < msg.count; i++) {
        if (msg.records[i].payload_len > NDEF_PAYLOAD_MAX)
            abort();
        roundtrip(&msg.records[i]);
    }
    (void)ndef_find_record(&msg, NDEF_KIND_MIME, NDEF_MIME_MEMBER_TOKEN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse(data, size);
    if (size > FUZZ_IMAGE_DATA_OFFSET)
        parse(data + FUZZ_IMAGE_DATA_OFFSET, size - FUZZ_IMAGE_DATA_OFFSET);
    return 0;
}
